import { AppConfig } from '@app/config';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModuleOptions, typeOrmOptions } from './database.options';
import { DatabaseNotifications } from './database-notifications.service';
import { Database } from './database.service';
import { createHourglassDataSource } from './hourglass-data-source';
import { MigrationService } from './migration.service';
import { SettingsRepository } from './settings.repository';

/**
 * The process's database: a PostgreSQL server when DATABASE_URL is set, otherwise the embedded
 * PGlite of DATA_DIR. Needs `ConfigModule.forRoot(config)` (global) imported beside it. Does not
 * migrate by itself: the API and `cli migrate` call `MigrationService.run()`. The API and the
 * worker connect at start; the CLI only when a command runs, through `Database.connect()`.
 */
@Module({})
export class DatabaseModule {
  static forRoot({ role }: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => typeOrmOptions(config, role),
          dataSourceFactory: createHourglassDataSource,
        }),
      ],
      providers: [Database, DatabaseNotifications, MigrationService, SettingsRepository],
      exports: [Database, DatabaseNotifications, MigrationService, SettingsRepository, TypeOrmModule],
    };
  }
}
