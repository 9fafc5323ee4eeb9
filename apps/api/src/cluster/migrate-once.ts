import { AppLogging, appLogging, loggingModule } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule, MigrationService } from '@app/database';
import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/** Just the database, to migrate it: no HTTP, no bus, no cron. */
@Module({})
class MigrationRootModule {
  static register(config: AppConfig, logging: AppLogging): DynamicModule {
    return {
      module: MigrationRootModule,
      imports: [ConfigModule.forRoot(config), loggingModule(logging), DatabaseModule.forRoot({ role: 'api' })],
    };
  }
}

/**
 * The cluster primary applies the pending migrations once, before it forks the API processes (which
 * then skip `MigrateOnStart`): a migration that fails stops the start once, instead of failing
 * every process and every restart. Replicas on other hosts are still serialised by the migration
 * lock of `MigrationService`.
 */
export async function migrateOnce(config: AppConfig): Promise<void> {
  const logging = appLogging({ level: config.LOG_LEVEL, service: 'api' });
  const context = await NestFactory.createApplicationContext(MigrationRootModule.register(config, logging), {
    logger: logging.nest,
    abortOnError: false,
  });
  try {
    await context.get(MigrationService).run();
  } finally {
    await context.close();
  }
}
