import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '@app/config';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { advisoryLockKey } from './advisory-lock-key';
import { sqlState } from './database.options';

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

export interface TransactionOptions {
  isolation?: IsolationLevel;
}

export type ExclusiveResult<T> = { ran: true; result: T } | { ran: false };

/**
 * One SQL statement of a hot path, run by `Database.statement` in its own implicit transaction.
 * `name` identifies its text for the whole process (a prepared statement on a server connection),
 * so one name must never be given two texts.
 */
export interface SqlStatement {
  readonly name: string;
  readonly text: string;
}

/** serialization_failure and deadlock_detected: PostgreSQL asks the client to retry the transaction. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
const MAX_TRANSACTION_ATTEMPTS = 5;
/**
 * Connections that only hold advisory locks. Separate from TypeORM's pool so a lock holder never
 * waits for a connection its own `fn` needs (two jobs, a pool of two: each would hold one).
 */
const LOCK_POOL_SIZE = 4;

export function isRetryableTransactionError(error: unknown): boolean {
  return RETRYABLE_SQLSTATES.has(sqlState(error) ?? '');
}

/** Transactions, database time and cluster-wide mutual exclusion. The one door to SQL for services. */
@Injectable()
export class Database implements OnApplicationShutdown {
  private readonly logger = new Logger(Database.name);
  /** Lock names this process is running now: a second local caller is refused without a round trip. */
  private readonly runningHere = new Set<string>();
  private lockPool?: Pool;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * Connects a DataSource that waits to be asked (the CLI's, see `typeOrmOptions`); a no-op once
   * connected. It does not wait for a server that does not answer: a person at a terminal is
   * better served by the reason at once. A failure the user can fix (no such database, a refused
   * login, no server listening) is the typed error that says what to do (`HourglassDataSource`).
   */
  async connect(): Promise<void> {
    if (!this.dataSource.isInitialized) {
      await this.dataSource.initialize();
    }
  }

  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * On a serialization failure or deadlock (SQLSTATE 40001, 40P01) the whole transaction is
   * retried a few times, so `fn` must do nothing but database work through `manager`.
   * Embedded: never open another transaction or query outside `manager` inside `fn` (one connection).
   */
  async transaction<T>(fn: (manager: EntityManager) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return options.isolation === undefined
          ? await this.dataSource.transaction(fn)
          : await this.dataSource.transaction(options.isolation, fn);
      } catch (error) {
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isRetryableTransactionError(error)) {
          throw error;
        }
        // Jittered backoff so the transactions that collided do not collide again.
        await sleep(Math.random() * 10 * 2 ** attempt);
      }
    }
  }

  /**
   * Runs one statement straight on the pool's connection, in one round trip and its own implicit
   * transaction: the row locks it takes are held only while the server runs and commits it, never
   * across the event loop. On a server it is a named prepared statement, parsed and planned once
   * per connection. Embedded it stays unnamed: PGlite serves every socket connection (ours and an
   * attached CLI's) from one backend session, where a name prepared by one connection would
   * collide with the next one that prepares it. Retried like `transaction` on a serialization
   * failure or deadlock, which roll the statement back whole.
   */
  async statement<R>(statement: SqlStatement, values: unknown[]): Promise<R[]> {
    const query = this.config.embeddedDatabase ? { text: statement.text, values } : { ...statement, values };
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool().connect();
      // A checked-out client that loses its connection emits 'error'; the query rejects anyway.
      const onError = () => undefined;
      client.on('error', onError);
      try {
        return (await client.query(query)).rows as R[];
      } catch (error) {
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isRetryableTransactionError(error)) {
          throw error;
        }
      } finally {
        client.removeListener('error', onError);
        client.release(); // the pool drops a client whose connection died
      }
      await sleep(Math.random() * 10 * 2 ** attempt);
    }
  }

  /**
   * Runs `fn` only if no other caller — in this process or, on a server, in any process on the
   * same database — is running `lockName`; otherwise returns `{ ran: false }` at once without
   * waiting. On a server the lock is `pg_try_advisory_xact_lock`, held by a transaction on a
   * connection of its own for the whole of `fn` (which runs its own transactions), so it is
   * released even if this process dies. Embedded (one process owns the database; PGlite has no
   * cross-connection advisory locks) it is an in-process mutex, which an attached CLI does not share.
   * Meant for `@Cron` jobs that replicas all trigger: one runs each tick.
   */
  async runExclusive<T>(lockName: string, fn: () => Promise<T>): Promise<ExclusiveResult<T>> {
    if (this.runningHere.has(lockName)) {
      return { ran: false };
    }
    this.runningHere.add(lockName);
    try {
      if (this.config.embeddedDatabase) {
        return { ran: true, result: await fn() };
      }
      return await this.withAdvisoryXactLock(lockName, fn);
    } finally {
      this.runningHere.delete(lockName);
    }
  }

  /**
   * Claims the current tick of a periodic job for this replica: the database clock truncated to
   * `unit` names the tick, and the first replica to claim it gets it back; every later claim of
   * the same (or an older) tick gets `undefined`. `runExclusive` keeps two replicas from running
   * a job at the same moment; this keeps a replica whose timer fired a little later from running
   * a tick that another one already ran. The claims live in `app_settings` (`cron-tick:<job>`).
   */
  async claimTick(job: string, unit: 'second' | 'minute' = 'second'): Promise<Date | undefined> {
    const rows = await this.dataSource.query<{ tick: Date }[]>(
      `INSERT INTO app_settings (key, value, updated_at)
       VALUES ($1, to_jsonb(date_trunc($2, now())), now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
         WHERE (app_settings.value #>> '{}')::timestamptz < (EXCLUDED.value #>> '{}')::timestamptz
       RETURNING (value #>> '{}')::timestamptz AS tick`,
      [`cron-tick:${job}`, unit],
    );
    return rows[0]?.tick;
  }

  /** The database's clock (`SELECT now()`): every expiry decision uses it, never a process clock. */
  async now(): Promise<Date> {
    const rows = await this.dataSource.query<{ now: Date }[]>('SELECT now() AS now');
    return rows[0].now;
  }

  async onApplicationShutdown(): Promise<void> {
    const pool = this.lockPool;
    this.lockPool = undefined;
    await pool?.end();
  }

  private async withAdvisoryXactLock<T>(lockName: string, fn: () => Promise<T>): Promise<ExclusiveResult<T>> {
    const client = await this.locks().connect();
    // A checked-out client that loses its connection emits 'error'; unhandled, it would crash the process.
    const onError = (error: Error) =>
      this.logger.warn(`Lost the connection holding lock "${lockName}": ${error.message}`);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1::bigint) AS locked',
        [advisoryLockKey(lockName)],
      );
      if (rows[0]?.locked !== true) {
        return { ran: false };
      }
      return { ran: true, result: await fn() };
    } finally {
      const usable = await endTransaction(client);
      client.removeListener('error', onError);
      client.release(!usable);
    }
  }

  /** TypeORM's own pool (the one `transaction` uses), so statements share its connections and limit. */
  private pool(): Pool {
    const driver = this.dataSource.driver;
    if (!(driver instanceof PostgresDriver) || driver.master === undefined) {
      throw new Error('The database is not connected');
    }
    return driver.master as Pool;
  }

  private locks(): Pool {
    if (this.lockPool === undefined) {
      const pool = new Pool({
        connectionString: this.config.DATABASE_URL,
        max: LOCK_POOL_SIZE,
        idleTimeoutMillis: 30_000,
        application_name: 'hourglass-locks',
      });
      // Idle clients that lose their connection are reported here (the pool replaces them);
      // `end()` does not wait for sockets to close, so errors after shutdown are expected noise.
      pool.on('error', (error) => {
        if (this.lockPool === pool) {
          this.logger.warn(`Advisory lock connection failed: ${error.message}`);
        }
      });
      this.lockPool = pool;
    }
    return this.lockPool;
  }
}

/** Ends the lock's transaction, which releases the advisory lock; false if the connection is unusable. */
async function endTransaction(client: PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}
