import { AppLogging, loggingModule } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { MessagingModule } from '@app/messaging';
import { WhatsappNodeModule } from '@app/whatsapp';
import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';

/**
 * Root module of the standalone worker process (needs AMQP_URL; never touches migrations). The
 * Baileys driver keeps its credentials in PostgreSQL, so with it the worker opens DATABASE_URL.
 */
@Module({})
export class WorkerModule {
  static register(config: AppConfig, logging: AppLogging): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule(logging),
        MessagingModule.forRoot(),
        ...(config.whatsappDriver === 'baileys' && config.DATABASE_URL !== undefined
          ? [DatabaseModule.forRoot({ role: 'worker' })]
          : []),
        ScheduleModule.forRoot(),
        WhatsappNodeModule,
      ],
    };
  }
}
