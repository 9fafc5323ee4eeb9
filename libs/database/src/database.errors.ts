import { AppError } from '@app/common';

/** Who holds a DATA_DIR, as written in its `hourglass.lock`. */
export interface DataDirOwner {
  pid: number;
  role: string;
  startedAt: string;
}

/**
 * Another live process hosts the embedded database of this DATA_DIR. PGlite is a single
 * backend: two processes opening the same files would corrupt them, so only the CLI may
 * attach (through the owner's socket) and the API and the worker refuse to start.
 */
export class DataDirInUseError extends AppError {
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner,
  ) {
    super(
      'data_dir_in_use',
      `DATA_DIR ${dataDir} is in use by another Hourglass process (pid ${owner.pid}, ${owner.role}, since ${owner.startedAt}). ` +
        'Stop it, use another DATA_DIR, or set DATABASE_URL.',
      500,
    );
  }
}

/** The owner of a DATA_DIR is alive but its socket never accepted a connection. */
export class EmbeddedDatabaseUnreachableError extends AppError {
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner,
    socketPath: string,
  ) {
    super(
      'embedded_database_unreachable',
      `DATA_DIR ${dataDir} is in use by another Hourglass process (pid ${owner.pid}, ${owner.role}, since ${owner.startedAt}) ` +
        `but its database socket ${socketPath} does not accept connections. Stop that process or set DATABASE_URL.`,
      500,
    );
  }
}

/** Unix socket paths are limited to 107 bytes, and the embedded socket lives inside DATA_DIR. */
export class SocketPathTooLongError extends AppError {
  constructor(
    readonly socketPath: string,
    readonly limit: number,
  ) {
    super(
      'data_dir_path_too_long',
      `DATA_DIR is too deep for the embedded database: its socket ${socketPath} is ${Buffer.byteLength(socketPath)} bytes, ` +
        `the limit of a Unix socket path is ${limit}. Use a shorter DATA_DIR or set DATABASE_URL.`,
      500,
    );
  }
}

/** SQLSTATE classes and codes that mean "the server cannot be reached or is going away", not a bad query. */
const UNAVAILABLE_SQLSTATES = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// pg's and TypeORM's own words for a connection that died under a query or a transaction.
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Connection ended unexpectedly|Query runner already released|query runner was already released|the database system is (starting up|shutting down|in recovery mode)/i;

/**
 * True when `error` says the database is unreachable (refused, reset, restarting, out of
 * connections), as opposed to a query it refused: the API answers these 503 so clients retry.
 * TypeORM copies the driver error's fields onto its own, and keeps it as `driverError`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 3; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_ERRNOS.has(code))) {
      return true;
    }
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) {
      return true;
    }
    current =
      (current as { driverError?: unknown; cause?: unknown }).driverError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}
