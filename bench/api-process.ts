import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TestDatabase, createTestDatabase } from '@app/testing';
import { Pool } from 'pg';
import { distEntry, ensureBuilt } from './build';
import { ApiProcess, RssSampler, apiProcesses, childrenOf } from './rss';

const execFileAsync = promisify(execFile);

/** Settings a run may pass to the API from its own environment; anything else stays fixed (or the app's default). */
const PASSED_THROUGH = /^(JWT_|AUTH_THROTTLE_|EXCHANGE_|API_WORKERS$|LOG_LEVEL$|DATABASE_POOL_SIZE$)/;
/** The first start of an embedded DATA_DIR runs every migration; a cluster forks its workers after that. */
const READY_TIMEOUT_MS = 120_000;

/**
 * The built API (`node dist/apps/api/apps/api/src/main.js`), started as a user starts it, in a
 * child process of its own: all its cores, its default logging (to a file), its own cluster mode
 * (API_WORKERS). Embedded (PGlite + in-process bus) by default; BENCH_DATABASE_URL runs it on a
 * fresh database of that PostgreSQL server (dropped afterwards), BENCH_AMQP_URL on that RabbitMQ.
 */
export interface BenchApi {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** What the API runs on, for the report. */
  description: string;
  /** The primary's pid: the process the bench started. */
  pid: number;
  /** The primary and its cluster workers, as they are now. */
  processes(): ApiProcess[];
  /** Processes that serve HTTP: the cluster workers, or the primary alone. */
  servingProcesses(): number;
  rss: RssSampler;
  /** The API's database, for seeding and reading back (the embedded one through its Unix socket). */
  sql: Pool;
  /** The server database's URL (undefined when embedded). */
  databaseUrl?: string;
  amqpUrl?: string;
  /** Environment of the API, which the CLI shares (`npm run cli` on the same database). */
  env: Record<string, string>;
  admin: { username: string; password: string };
  /** Runs the built CLI with the API's configuration; resolves with its stdout (rejects on exit ≠ 0). */
  cli(args: string[]): Promise<string>;
  /** Bytes the API has logged so far (stdout and stderr, at its configured level). */
  logBytes(): number;
  close(): Promise<void>;
}

export function benchDatabaseUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL?.trim() || undefined;
}

/** A fresh database for one part of the run: on BENCH_DATABASE_URL's server, else an embedded DATA_DIR. */
export function scratchDatabase(): Promise<TestDatabase> {
  const serverUrl = benchDatabaseUrl();
  if (serverUrl !== undefined) {
    process.env.TEST_DATABASE_URL = serverUrl; // createTestDatabase reads the server from there
  }
  return createTestDatabase(serverUrl === undefined ? 'embedded' : 'postgres');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') {
    throw new Error('no free port');
  }
  return address.port;
}

function passedThrough(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => PASSED_THROUGH.test(entry[0]) && entry[1] !== undefined,
    ),
  );
}

/**
 * BENCH_API_NODE_ARGS: Node options for the API's processes, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
 * to profile it under load (cluster workers inherit them; NODE_OPTIONS refuses --cpu-prof).
 */
function nodeArgs(): string[] {
  return (process.env.BENCH_API_NODE_ARGS ?? '').split(/\s+/).filter((arg) => arg !== '');
}

function tail(path: string, bytes = 4_000): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** What the API prints on stdout once it serves: by the process itself, or by a cluster's primary once every worker listens. */
const LISTENING = 'Hourglass is listening on http://localhost:';

/** Resolves once the API has said it listens (every process of a cluster) and GET /api/health/ready answers 200. */
async function waitUntilReady(child: ChildProcess, origin: string, logPath: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const ready = async () => {
    if (!tail(logPath, 1_000_000).includes(LISTENING)) {
      return false;
    }
    try {
      return (await fetch(`${origin}/api/health/ready`)).status === 200;
    } catch {
      return false;
    }
  };
  while (!(await ready())) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the API exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(logPath)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`the API was not ready within ${READY_TIMEOUT_MS} ms:\n${tail(logPath)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startBenchApi(log: (line: string) => void): Promise<BenchApi> {
  await ensureBuilt(['api', 'cli'], log);
  const serverUrl = benchDatabaseUrl();
  const amqpUrl = process.env.BENCH_AMQP_URL?.trim() || undefined;
  const database = await scratchDatabase();
  const port = await freePort();
  const admin = { username: 'bench-admin', password: randomBytes(12).toString('hex') };
  const env: Record<string, string> = {
    JWT_SIGNING_KEY: randomBytes(32).toString('hex'),
    // One client IP makes every request: the credential endpoints' limit (10/min by default) is lifted
    // to its maximum so that sign-ins and the refresh chain measure work, not 429s (the limiter still runs).
    AUTH_THROTTLE_LIMIT: '1000000',
    ...passedThrough(),
    ...database.env,
    ...(amqpUrl === undefined ? {} : { AMQP_URL: amqpUrl }),
    ADMIN_USERNAME: admin.username,
    ADMIN_PASSWORD: admin.password,
  };
  const logPath = join(database.dataDir, 'api.log');
  const logFd = openSync(logPath, 'a');
  // Only what the bench chose, plus PATH and HOME: the developer's DATABASE_URL must not leak in. The
  // working directory is the scratch DATA_DIR, so no .env of the checkout is read either.
  const child = spawn(process.execPath, [...nodeArgs(), distEntry('api')], {
    cwd: database.dataDir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port) },
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    const pids = [child.pid ?? 0, ...childrenOf(child.pid ?? 0)];
    child.kill('SIGTERM');
    const timer = setTimeout(() => pids.forEach((pid) => killQuietly(pid)), 30_000);
    await exited(child);
    clearTimeout(timer);
  };
  try {
    await waitUntilReady(child, origin, logPath);
  } catch (error) {
    await stop();
    await database.cleanup();
    throw error;
  }
  const pid = child.pid ?? 0;
  const sql =
    serverUrl === undefined
      ? // One connection, like the API's own: PGlite serves one transaction at a time.
        new Pool({ host: database.dataDir, port: 5432, user: 'postgres', database: 'postgres', max: 1 })
      : new Pool({ connectionString: database.env.DATABASE_URL, max: 2 });
  const rss = new RssSampler(pid);
  let closing: Promise<void> | undefined;
  const serving = () => Math.max(1, apiProcesses(pid).filter((p) => p.role === 'worker').length);
  return {
    origin,
    pid,
    processes: () => apiProcesses(pid),
    servingProcesses: serving,
    rss,
    sql,
    databaseUrl: database.env.DATABASE_URL,
    amqpUrl,
    env,
    admin,
    description:
      `${serverUrl === undefined ? 'PGlite (embedded)' : 'PostgreSQL server'} + ${amqpUrl === undefined ? 'in-process bus' : 'RabbitMQ'};` +
      ` built API in a child process, ${serving()} serving process(es)${serving() > 1 ? ' (node:cluster)' : ''}`,
    cli: async (args) => {
      const { stdout } = await execFileAsync(process.execPath, [distEntry('cli'), ...args], {
        cwd: database.dataDir,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, LOG_LEVEL: 'warn' },
        timeout: 120_000,
        maxBuffer: 16 * 2 ** 20,
      });
      return stdout;
    },
    logBytes: () => statSync(logPath).size,
    // Idempotent: an interrupted run closes from its signal handler as well as from its `finally`.
    close: () =>
      (closing ??= (async () => {
        rss.stop();
        await sql.end();
        await stop();
        await database.cleanup();
      })()),
  };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
