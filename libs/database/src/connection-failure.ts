import { AppError } from '@app/common';
import { isDatabaseUnavailable } from './database.errors';
import { sqlState } from './database.options';

/** invalid_catalog_name: the server is up, the database of DATABASE_URL is not there. */
const NO_SUCH_DATABASE = '3D000';
/** invalid_password, invalid_authorization_specification (unknown role, no pg_hba.conf entry). */
const LOGIN_REFUSED = new Set(['28P01', '28000']);

/** What DATABASE_URL names, for messages: never its password. */
interface ServerTarget {
  host: string;
  port?: string;
  user?: string;
  database: string;
}

function target(databaseUrl: string): ServerTarget {
  const url = new URL(databaseUrl);
  const user = url.username === '' ? undefined : decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: url.port || undefined,
    user,
    // pg's own default: a URL without a database connects to the user's.
    database: decodeURIComponent(url.pathname.slice(1)) || user || 'postgres',
  };
}

function hostAndPort({ host, port }: ServerTarget): string {
  return `${host}:${port ?? '5432'}`;
}

/** A word for a shell command line: bare when safe, otherwise single-quoted. */
function shellWord(word: string): string {
  return /^[\w.@%+=:,/-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `createdb` line that creates the database of DATABASE_URL on its server. */
export function createdbCommand(databaseUrl: string): string {
  const server = target(databaseUrl);
  return [
    'createdb',
    `-h ${shellWord(server.host)}`,
    ...(server.port === undefined ? [] : [`-p ${server.port}`]),
    ...(server.user === undefined ? [] : [`-U ${shellWord(server.user)}`]),
    shellWord(server.database),
  ].join(' ');
}

/** DATABASE_URL names a database the server does not have: create it, or fix the URL. */
export class DatabaseMissingError extends AppError {
  constructor(databaseUrl: string) {
    const server = target(databaseUrl);
    super(
      'database_missing',
      `Database "${server.database}" does not exist on the PostgreSQL server at ${hostAndPort(server)}: ` +
        `create it with \`${createdbCommand(databaseUrl)}\`, or fix DATABASE_URL.`,
      503,
    );
  }
}

/** The server refused DATABASE_URL's user: a wrong password, an unknown role, a pg_hba.conf rule. */
export class DatabaseLoginRefusedError extends AppError {
  constructor(databaseUrl: string, reason: string) {
    const server = target(databaseUrl);
    super(
      'database_login_refused',
      `The PostgreSQL server at ${hostAndPort(server)} refused the login of "${server.user ?? '(default user)'}" (${reason}): ` +
        'fix the user or password in DATABASE_URL.',
      503,
    );
  }
}

/** Nothing answers at DATABASE_URL, or the server cannot take a connection now. */
export class DatabaseUnreachableError extends AppError {
  constructor(databaseUrl: string, reason: string) {
    super(
      'database_unreachable',
      `Cannot reach the PostgreSQL server at ${hostAndPort(target(databaseUrl))} (${reason}): ` +
        'start it, or fix DATABASE_URL.',
      503,
    );
  }
}

/**
 * An error's message. Node's AggregateError (`localhost` refused on ::1 and on 127.0.0.1) has an
 * empty one; duck-typed, as errors from another realm (a test sandbox) fail `instanceof Error`.
 */
function errorMessage(error: unknown): string {
  const { message, errors } = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    errors?: unknown;
  };
  if (message === '' && Array.isArray(errors)) {
    return errors.map(errorMessage).join(', ');
  }
  return typeof message === 'string' ? message : String(error);
}

/**
 * The error to show for a failed connection to the server of `databaseUrl`, when it is one the
 * user can fix (no such database, a refused login, nothing listening); `undefined` otherwise.
 */
export function connectionFailure(error: unknown, databaseUrl: string): AppError | undefined {
  const code = sqlState(error);
  const reason = errorMessage(error);
  if (code === NO_SUCH_DATABASE) {
    return new DatabaseMissingError(databaseUrl);
  }
  if (code !== undefined && LOGIN_REFUSED.has(code)) {
    return new DatabaseLoginRefusedError(databaseUrl, reason);
  }
  if (isDatabaseUnavailable(error)) {
    return new DatabaseUnreachableError(databaseUrl, reason);
  }
  return undefined;
}
