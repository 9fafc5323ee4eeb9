import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess, TestDatabase, TestVhost, createTestDatabase, createTestVhost, runApp } from '@app/testing';
import { Client } from 'pg';
import { HttpStats, ReplicaHttp } from './http';

/**
 * Why the drills cannot run on this machine, or undefined when they can: they need a real
 * PostgreSQL server and RabbitMQ (several processes share them), which the embedded defaults are not.
 */
export function serversMissing(): string | undefined {
  const missing = ['TEST_DATABASE_URL', 'TEST_AMQP_URL'].filter((name) => (process.env[name] ?? '').trim() === '');
  if (missing.length === 0) {
    return undefined;
  }
  const reason = `${missing.join(' and ')} not set: the drills need a real PostgreSQL server and RabbitMQ, e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5672`;
  // As everywhere in the suite (libs/testing): in CI a missing server is a failure, not a skip.
  if (process.env.CI === 'true') {
    throw new Error(`CI=true but ${reason}`);
  }
  return reason;
}

/** One process of the cluster (built app from `dist/`), which a drill may stop gracefully or crash. */
export abstract class ClusterNode {
  constructor(
    readonly name: string,
    readonly process: AppProcess,
  ) {}

  get pid(): number {
    return this.process.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.process.child.exitCode === null && this.process.child.signalCode === null;
  }

  /**
   * SIGTERM (graceful shutdown: Nest's hooks run), then SIGKILL if the process is still there after
   * `timeoutMs`. Resolves with the exit code or the signal that ended it.
   */
  async stop(timeoutMs = 15_000): Promise<number | NodeJS.Signals | null> {
    if (this.alive) {
      this.process.child.kill('SIGTERM');
      // Cancelled once the process is gone, so a pending timer does not keep Jest alive.
      const cancel = new AbortController();
      const timer = sleep(timeoutMs, 'timeout' as const, { signal: cancel.signal }).catch(() => 'exited' as const);
      const first = await Promise.race([this.process.exited.then(() => 'exited' as const), timer]);
      cancel.abort();
      if (first === 'timeout') {
        this.process.child.kill('SIGKILL');
      }
    }
    return this.ended();
  }

  /** `kill -9`: a crash, no shutdown hook runs, connections are cut by the kernel. */
  async kill(): Promise<number | NodeJS.Signals | null> {
    if (this.alive) {
      this.process.child.kill('SIGKILL');
    }
    return this.ended();
  }

  /** The process's output so far, for a failure message. */
  output(tailChars = 4_000): string {
    return `${this.name} (pid ${this.pid}):\n${(this.process.stdout + this.process.stderr).slice(-tailChars)}`;
  }

  /** Lines the process logged at level error or fatal (pino JSON, level ≥ 50), unparsable output aside. */
  loggedErrors(): string[] {
    return (this.process.stdout + this.process.stderr).split('\n').filter((line) => {
      try {
        const entry = JSON.parse(line) as { level?: unknown };
        return typeof entry.level === 'number' && entry.level >= 50;
      } catch {
        return false;
      }
    });
  }

  private async ended(): Promise<number | NodeJS.Signals | null> {
    const code = await this.process.exited;
    return code ?? this.process.child.signalCode;
  }
}

/** An API replica: its HTTP helper and how it names itself in the database. */
export class ApiReplica extends ClusterNode {
  readonly http: ReplicaHttp;

  constructor(
    name: string,
    process: AppProcess,
    readonly port: number,
    stats: HttpStats,
  ) {
    super(name, process);
    this.http = new ReplicaHttp(name, `http://127.0.0.1:${port}`, stats);
  }

  /** `sweep_runs.replica` of this process (libs/ledger: `<hostname>:<pid>`). */
  get replicaId(): string {
    return `${hostname()}:${this.pid}`;
  }
}

/** A WhatsApp worker; its name is its WORKER_ID. */
export class WorkerNode extends ClusterNode {
  get workerId(): string {
    return this.name;
  }
}

/**
 * A whole Hourglass deployment for one drill: a fresh database on TEST_DATABASE_URL's server, a
 * fresh RabbitMQ vhost, and as many API replicas and workers as the drill starts, all from the
 * built apps (`npm run build`) with one shared environment. `teardown()` stops every process
 * (SIGTERM, then SIGKILL) and drops the database and the vhost.
 */
export class Cluster {
  /** Every HTTP answer of every replica. */
  readonly stats = new HttpStats();
  /** Every process ever started, dead or alive, in start order. */
  readonly apis: ApiReplica[] = [];
  readonly workers: WorkerNode[] = [];

  private constructor(
    readonly database: TestDatabase,
    readonly vhost: TestVhost,
    readonly env: Record<string, string>,
  ) {}

  /** `env`: settings every process gets (timings, secrets, ADMIN_*), over the cluster's own. */
  static async create(env: Record<string, string> = {}): Promise<Cluster> {
    const database = await createTestDatabase('postgres');
    let vhost: TestVhost;
    try {
      vhost = await createTestVhost();
    } catch (error) {
      await database.cleanup();
      throw error;
    }
    // One signing key for all replicas: a token issued by one must be accepted by the others.
    const base = {
      ...database.env,
      AMQP_URL: vhost.url,
      JWT_SIGNING_KEY: randomBytes(48).toString('base64'),
      LOG_LEVEL: 'warn',
      // One process per replica: the drills name, kill and find replicas (`sweep_runs`) by pid.
      API_WORKERS: '1',
    };
    return new Cluster(database, vhost, { ...base, ...env });
  }

  get liveApis(): ApiReplica[] {
    return this.apis.filter((api) => api.alive);
  }

  get liveWorkers(): WorkerNode[] {
    return this.workers.filter((worker) => worker.alive);
  }

  /** A live API replica at random, so a load spreads over all of them. */
  anyApi(): ApiReplica {
    const live = this.liveApis;
    if (live.length === 0) {
      throw new Error('no API replica is running');
    }
    return live[Math.floor(Math.random() * live.length)];
  }

  /**
   * Starts an API replica on a free port and waits for its "listening" line. The first one applies
   * the migrations: start it alone before the others.
   */
  async startApi(env: Record<string, string> = {}, timeoutMs = 90_000): Promise<ApiReplica> {
    const app = AppProcess.start('api', { ...this.env, PORT: '0', ...env });
    const name = `api-${this.apis.length + 1}`;
    try {
      const [, port] = await app.waitFor(/listening on http:\/\/localhost:(\d+)/, timeoutMs);
      const api = new ApiReplica(name, app, Number(port), this.stats);
      this.apis.push(api);
      return api;
    } catch (error) {
      app.child.kill('SIGKILL');
      throw error;
    }
  }

  /** Starts a worker named `workerId` and waits until it consumes its command queues. */
  async startWorker(workerId: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<WorkerNode> {
    // LOG_LEVEL info: the readiness line is an info log.
    const app = AppProcess.start('worker', { ...this.env, WORKER_ID: workerId, LOG_LEVEL: 'info', ...env });
    try {
      await app.waitFor(new RegExp(`Worker ${workerId.replace(/[.]/g, '\\.')} is waiting for commands`), timeoutMs);
      const worker = new WorkerNode(workerId, app);
      this.workers.push(worker);
      return worker;
    } catch (error) {
      app.child.kill('SIGKILL');
      throw error;
    }
  }

  /** Runs the built admin CLI to completion with the cluster's configuration. */
  cli(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return runApp('cli', { ...this.env, ...env }, args);
  }

  /** One SQL statement on the cluster's database, on a connection of its own (survives server restarts). */
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.env.DATABASE_URL, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined); // a server going away must fail the query, not the test process
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Stops every process (SIGTERM, SIGKILL after `timeoutMs`), then drops the database and the vhost. */
  async teardown(timeoutMs = 15_000): Promise<void> {
    await Promise.all([...this.apis, ...this.workers].map((node) => node.stop(timeoutMs)));
    const results = await Promise.allSettled([this.database.cleanup(), this.vhost.drop()]);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      throw failed.reason;
    }
  }
}
