export { advisoryLockKey } from './advisory-lock-key';
export {
  DataDirInUseError,
  DataDirOwner,
  EmbeddedDatabaseUnreachableError,
  SocketPathTooLongError,
  isDatabaseUnavailable,
} from './database.errors';
export { DatabaseNotifications, NotificationListener } from './database-notifications.service';
export { DatabaseModule } from './database.module';
export { DatabaseModuleOptions, DatabaseRole } from './database.options';
export { Database, ExclusiveResult, IsolationLevel, TransactionOptions } from './database.service';
export { EmbeddedPostgres } from './embedded/embedded-postgres';
export { JobOutcome } from './jobs/job-metrics';
export { JobScheduler } from './jobs/job-scheduler.service';
export { JobReplicas, JobRun, JobSchedule, ScheduledJob } from './jobs/scheduled-job';
export { SchedulingModule } from './jobs/scheduling.module';
export { MigrationService } from './migration.service';
export { MIGRATIONS } from './migrations';
export { SettingsRepository } from './settings.repository';
