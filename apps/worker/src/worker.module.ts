import { loggingModule } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { MessagingModule } from '@app/messaging';
import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { WorkerCoreModule } from './worker-core.module';

/** Root module of the standalone worker process (needs AMQP_URL; never touches migrations). */
@Module({})
export class WorkerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule({ level: config.LOG_LEVEL, service: 'worker' }),
        MessagingModule.forRoot(),
        ScheduleModule.forRoot(),
        WorkerCoreModule,
      ],
    };
  }
}
