export { advisoryLockKey } from './advisory-lock-key';
export {
  DatabaseLoginRefusedError,
  DatabaseMissingError,
  DatabaseUnreachableError,
  connectionFailure,
  createdbCommand,
} from './connection-failure';
export { isDatabaseUnavailable } from './database.errors';
export { DatabaseNotifications, type SiblingRelay } from './database-notifications.service';
export { DatabaseModule } from './database.module';
export { type DatabaseRole } from './database.options';
export { Database, type SqlStatement } from './database.service';
export { JobScheduler } from './jobs/job-scheduler.service';
export { SchedulingModule } from './jobs/scheduling.module';
export { MigrationService } from './migration.service';
export { MIGRATIONS } from './migrations';
export { SettingsRepository } from './settings.repository';
