import { AppConfig } from '@app/config';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, MigrationExecutor } from 'typeorm';
import { advisoryLockKey } from './advisory-lock-key';

const MIGRATION_LOCK = 'hourglass.migrations';

/** Applies the explicit MIGRATIONS list: at API start and by `cli migrate`, never by the worker. */
@Injectable()
export class MigrationService {
  private readonly logger = new Logger(MigrationService.name);
  /** Runs of this process, one after another: two overlapping runs would both see a migration pending. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * Applies the pending migrations, each in its own transaction, and returns their names
   * (empty when the schema is up to date). On a server, replicas starting together are
   * serialised by a session advisory lock, so each migration is applied exactly once.
   */
  run(): Promise<string[]> {
    const run = this.queue.then(() =>
      this.config.embeddedDatabase ? this.apply() : this.withClusterLock(() => this.apply()),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Names of the migrations not applied yet, oldest first. */
  async pending(): Promise<string[]> {
    const pending = await new MigrationExecutor(this.dataSource).getPendingMigrations();
    return pending.map((migration) => migration.name);
  }

  private async apply(): Promise<string[]> {
    const applied = await this.dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) {
      this.logger.log(`Applied migration ${migration.name}`);
    }
    if (applied.length === 0) {
      this.logger.log('Database schema is up to date');
    }
    return applied.map((migration) => migration.name);
  }

  /**
   * A session lock on a dedicated connection, held while the migrations run on other pool
   * connections (a server pool has at least two). Other replicas wait, then find nothing pending.
   */
  private async withClusterLock<T>(fn: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const key = advisoryLockKey(MIGRATION_LOCK);
    try {
      await runner.query('SELECT pg_advisory_lock($1::bigint)', [key]);
      try {
        return await fn();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
      }
    } finally {
      await runner.release();
    }
  }
}
