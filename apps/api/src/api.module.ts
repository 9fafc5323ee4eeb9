import { AppLogging, loggingModule } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { EventsCronModule } from '@app/events';
import { MessagingModule } from '@app/messaging';
import { WhatsappNodeModule } from '@app/whatsapp';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AsyncApiController } from './asyncapi/asyncapi.controller';
import { AuthHttpModule } from './auth/auth-http.module';
import { EventsHttpModule } from './events/events-http.module';
import { HealthModule } from './health/health.module';
import { LedgerHttpModule } from './ledger/ledger-http.module';
import { MetricsModule } from './metrics/metrics.module';
import { MigrateOnStart } from './migrate-on-start';
import { VintedHttpModule } from './vinted/vinted-http.module';
import { WebhooksHttpModule } from './webhooks/webhooks-http.module';
import { WhatsappHttpModule } from './whatsapp/whatsapp-http.module';

@Module({})
export class ApiModule {
  /**
   * `logging`: the process's loggers (`appLogging`), which NestFactory gets too. `extraModules`:
   * more feature modules to host (tests mount probe controllers this way).
   */
  static register(config: AppConfig, logging: AppLogging, extraModules: Type[] = []): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule(logging),
        DatabaseModule.forRoot({ role: 'api' }),
        MessagingModule.forRoot(),
        ScheduleModule.forRoot(),
        HealthModule,
        MetricsModule,
        EventsCronModule,
        AuthHttpModule,
        EventsHttpModule,
        LedgerHttpModule,
        VintedHttpModule,
        WhatsappHttpModule,
        WebhooksHttpModule,
        // One-process mode: with the in-process bus, the API also hosts the WhatsApp node.
        ...(config.embeddedBus ? [WhatsappNodeModule] : []),
        ...extraModules,
      ],
      controllers: [AsyncApiController],
      providers: [MigrateOnStart],
    };
  }
}
