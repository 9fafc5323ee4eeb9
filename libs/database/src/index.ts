export { isDatabaseUnavailable } from './database.errors';
export { DatabaseNotifications } from './database-notifications.service';
export { DatabaseModule } from './database.module';
export { type DatabaseRole } from './database.options';
export { Database } from './database.service';
export { MigrationService } from './migration.service';
export { MIGRATIONS } from './migrations';
export { SettingsRepository } from './settings.repository';
