import { AppConfig } from '@app/config';
import { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { EMBEDDED_DATABASE, EMBEDDED_PORT, EMBEDDED_USER } from './embedded/embedded-postgres';
import { MIGRATIONS } from './migrations';

/** Which process opens the database: decides who may host or attach to an embedded DATA_DIR. */
export type DatabaseRole = 'api' | 'worker' | 'cli';

export interface DatabaseModuleOptions {
  role: DatabaseRole;
}

/** Where the DataSource factory hosts (or, for the CLI, attaches to) the embedded database. */
export interface EmbeddedTarget {
  dataDir: string;
  role: DatabaseRole;
}

/** How often, and how far apart, a start tries again a server that does not answer (see `HourglassDataSource`). */
export interface ConnectRetries {
  count: number;
  delayMs: number;
}

export type HourglassTypeOrmOptions = TypeOrmModuleOptions & {
  embedded?: EmbeddedTarget;
  connectRetries?: ConnectRetries;
};

/** The API's and the worker's start wait about 10 s for a server that is coming up. */
const START_RETRIES: ConnectRetries = { count: 5, delayMs: 2_000 };
/** Fails a query that would wait forever for the single embedded connection (a nested transaction). */
const EMBEDDED_CONNECT_TIMEOUT_MS = 60_000;
/** A pool connection that cannot be opened within this is reported, not waited on. */
const SERVER_CONNECT_TIMEOUT_MS = 5_000;

/** The TypeORM options of a process: a server when DATABASE_URL is set, the embedded PGlite otherwise. */
export function typeOrmOptions(config: AppConfig, role: DatabaseRole): HourglassTypeOrmOptions {
  const common = {
    type: 'postgres',
    applicationName: `hourglass-${role}`,
    // Feature libs register entities with TypeOrmModule.forFeature. The worker maps none: its only
    // SQL is the Baileys credential store's raw queries, and importing @app/whatsapp registers the
    // number entity, whose foreign key to `users` needs the auth lib's metadata it does not load.
    autoLoadEntities: role !== 'worker',
    // The schema is owned by the migrations, never by entity metadata, and they run explicitly.
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    installExtensions: false,
    logging: false,
    // The CLI connects only once a command runs (`Database.connect()`, which does not retry), so
    // `--help` and usage errors answer at once without opening (or waiting for) any database.
    manualInitialization: role === 'cli',
    // TypeOrmModule's own retries log each failure with its stack; HourglassDataSource retries instead.
    toRetry: () => false,
  } as const;
  if (config.DATABASE_URL !== undefined) {
    return {
      ...common,
      url: config.DATABASE_URL,
      poolSize: config.DATABASE_POOL_SIZE,
      // While the server is down or restarting, a request fails fast (503) instead of waiting.
      extra: { connectionTimeoutMillis: SERVER_CONNECT_TIMEOUT_MS },
      // A person at the CLI is better served by the reason at once than by a wait.
      connectRetries: role === 'cli' ? undefined : START_RETRIES,
    };
  }
  return {
    ...common,
    host: config.DATA_DIR, // pg reads a host starting with '/' as the directory of a Unix socket.
    port: EMBEDDED_PORT,
    username: EMBEDDED_USER,
    database: EMBEDDED_DATABASE,
    // PGlite is one backend behind a queue that holds every other connection while one is in a
    // transaction: a second connection of ours could only wait on the first, so use exactly one.
    poolSize: 1,
    extra: { max: 1, connectionTimeoutMillis: EMBEDDED_CONNECT_TIMEOUT_MS },
    // No `connectRetries`: a held DATA_DIR or a broken data directory does not heal by waiting.
    embedded: { dataDir: config.DATA_DIR, role },
  };
}

/** The SQLSTATE of a pg / TypeORM error (TypeORM copies the driver error's fields onto its own). */
export function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
