import cluster, { Worker } from 'node:cluster';
import { AppError } from '@app/common';
import { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { Announcements, sendTo } from './announcements';
import {
  AnnounceRequest,
  Delivered,
  FailedMessage,
  MetricsRequest,
  MetricsResponse,
  ReadyMessage,
  isMessage,
} from './cluster-messages';

/** The first restart of a crashed API process waits this long; each crash soon after doubles it. */
export const RESTART_MIN_MS = 1_000;
export const RESTART_MAX_MS = 30_000;
/** A crash this long after the previous one starts the backoff over. */
const CRASH_MEMORY_MS = 60_000;
/** A process that has not finished its graceful shutdown by then is killed. */
const STOP_TIMEOUT_MS = 30_000;

type Phase = 'starting' | 'running' | 'stopping';

/** An API process could not start: the cluster does not start either (no restart loop). */
export class ApiProcessFailedError extends AppError {
  constructor(reason: string) {
    super('api_process_failed', reason, 500);
  }
}

/**
 * The primary's side of cluster mode: forks `size` API processes (each runs `createApiApp` and
 * listens on the shared port), restarts one that dies while the cluster runs (after a backoff, with
 * a log line), relays their announcements (revocations) to each other, answers their requests
 * for the cluster's metrics and, on `stop()`, lets each one shut down gracefully (SIGTERM: Nest's
 * shutdown hooks) and waits for all of them.
 */
export class ApiSupervisor {
  private phase: Phase = 'starting';
  private readonly ready = new Set<Worker>();
  private readonly workers = new Set<Worker>();
  private readonly restarts = new Set<NodeJS.Timeout>();
  private readonly backoff = new RestartBackoff();
  private readonly metrics = new AggregatorRegistry();
  private readonly announcements = new Announcements();
  private startup?: { resolve: (port: number) => void; reject: (error: Error) => void };

  constructor(
    private readonly size: number,
    private readonly log: Logger,
  ) {
    cluster.on('message', (worker, message) => this.onMessage(worker, message));
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
  }

  /**
   * Forks every process; resolves with the port once all listen, rejects with the reason of the
   * first that fails (or exits) first.
   */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.startup = { resolve, reject };
      for (let i = 0; i < this.size; i++) {
        this.fork();
      }
    });
  }

  /** SIGTERM to every process (no restart from now on); resolves once all have exited. */
  async stop(): Promise<void> {
    this.phase = 'stopping';
    this.restarts.forEach((timer) => clearTimeout(timer));
    this.restarts.clear();
    const living = [...this.workers];
    const exited = living.map((worker) => new Promise<void>((resolve) => worker.once('exit', () => resolve())));
    // Not `worker.kill()`: it cuts the IPC channel first, and a worker whose channel is cut exits at once.
    living.forEach((worker) => worker.process.kill('SIGTERM'));
    const deadline = setTimeout(() => {
      for (const worker of this.workers) {
        this.log.error(`API process ${worker.process.pid} did not stop within ${STOP_TIMEOUT_MS} ms: killed`);
        worker.process.kill('SIGKILL');
      }
    }, STOP_TIMEOUT_MS);
    await Promise.all(exited);
    clearTimeout(deadline);
  }

  private fork(): void {
    this.workers.add(cluster.fork());
  }

  private onMessage(worker: Worker, message: unknown): void {
    if (isMessage<ReadyMessage>(message, 'hourglass:api-ready')) {
      this.onReady(worker, message.port);
    } else if (isMessage<FailedMessage>(message, 'hourglass:api-failed')) {
      this.onFailed(worker, message.reason);
    } else if (isMessage<AnnounceRequest>(message, 'hourglass:announce')) {
      this.announcements.announce(worker, message, this.workers);
    } else if (isMessage<Delivered>(message, 'hourglass:delivered')) {
      this.announcements.delivered(worker, message.id);
    } else if (isMessage<MetricsRequest>(message, 'hourglass:metrics-request')) {
      void this.answerMetrics(worker, message.id);
    }
  }

  private onReady(worker: Worker, port: number): void {
    this.ready.add(worker);
    if (this.phase === 'starting' && this.ready.size === this.size) {
      this.phase = 'running';
      this.startup?.resolve(port);
    } else if (this.phase === 'running') {
      this.log.info(`API process ${worker.process.pid} is back: ${this.ready.size} of ${this.size} running`);
    }
  }

  private onFailed(worker: Worker, reason: string): void {
    if (this.phase === 'starting') {
      this.startup?.reject(new ApiProcessFailedError(reason));
    } else if (this.phase === 'running') {
      this.log.error(`API process ${worker.process.pid} could not start again: ${reason}`);
    }
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    if (!this.workers.delete(worker)) {
      return;
    }
    this.ready.delete(worker);
    this.announcements.gone(worker);
    const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
    if (this.phase === 'stopping') {
      return;
    }
    if (this.phase === 'starting') {
      // Its `hourglass:api-failed` has already said why, unless it died without a word.
      this.startup?.reject(
        new ApiProcessFailedError(`API process ${worker.process.pid} exited (${how}) before it was ready`),
      );
      return;
    }
    const delay = this.backoff.next();
    this.log.error(`API process ${worker.process.pid} died (${how}); restarting it in ${delay} ms`);
    const timer = setTimeout(() => {
      this.restarts.delete(timer);
      this.fork();
    }, delay);
    this.restarts.add(timer);
  }

  /** prom-client's aggregation: each process's registry, summed (process_* metrics keep a `pid` label). */
  private async answerMetrics(worker: Worker, id: number): Promise<void> {
    let response: MetricsResponse;
    try {
      response = { type: 'hourglass:metrics-response', id, metrics: await this.metrics.clusterMetrics() };
    } catch (error) {
      response = {
        type: 'hourglass:metrics-response',
        id,
        error: error instanceof Error ? error.message : String(error),
      };
    }
    sendTo(worker, response);
  }
}

/** Delays before restarting crashed processes: doubling while crashes follow each other closely. */
export class RestartBackoff {
  private crashes = 0;
  private lastCrashAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly now: () => number = Date.now) {}

  next(): number {
    const now = this.now();
    this.crashes = now - this.lastCrashAt > CRASH_MEMORY_MS ? 1 : this.crashes + 1;
    this.lastCrashAt = now;
    return Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** (this.crashes - 1));
  }
}
