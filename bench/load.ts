import { Worker } from 'node:worker_threads';

/** One measurement: `fixed` keeps `connections` keep-alive requests in flight; `refresh-chain` rotates sequentially. */
export interface LoadJob {
  kind: 'fixed' | 'refresh-chain';
  /** `http://127.0.0.1:<port>`: loopback only. */
  origin: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** Concurrent requests in flight (`fixed`); the chain always has one. */
  connections: number;
  /** Stops issuing after this long… */
  durationMs: number;
  /** …or after this many requests, whichever comes first. */
  maxRequests: number;
  /** `fixed`: a JSON body sent with every request. */
  body?: string;
  /** `fixed`: one `authorization` header per connection (round robin), e.g. one user each. */
  authorizations?: string[];
  /** The status a successful request answers; anything else counts as an error. */
  expectStatus: number;
  /** `refresh-chain`: the first refresh token. */
  refresh?: string;
}

export interface LoadResult {
  requests: number;
  ok: number;
  errors: number;
  /** Requests per status code (or network error code). */
  statuses: Record<string, number>;
  elapsedMs: number;
  /** Successful requests per second. */
  perSecond: number;
  /** Latencies in milliseconds. */
  p50: number;
  p99: number;
  max: number;
  /** Why a chain ended before its time (a refused rotation, e.g. a 429 from throttling). */
  stopReason?: string;
}

/** Runs `job` in a worker thread (the server keeps the main thread), with a hard time limit. */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  // The worker is TypeScript: it registers ts-node (transpile only) itself, as threads do not inherit hooks.
  const bootstrap = `require('ts-node').register({ transpileOnly: true }); require(${JSON.stringify(require.resolve('./load.worker'))});`;
  const worker = new Worker(bootstrap, { eval: true, workerData: job });
  return new Promise<LoadResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`load worker still running ${job.durationMs + 15_000} ms after start`));
    }, job.durationMs + 15_000);
    worker.once('message', (message: { result?: LoadResult; error?: string }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (message.result) {
        resolve(message.result);
      } else {
        reject(new Error(message.error ?? 'load worker failed'));
      }
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Of two results, the one with more successful requests per second. */
export const better = (a: LoadResult | undefined, b: LoadResult): LoadResult =>
  a === undefined || b.perSecond > a.perSecond ? b : a;

/**
 * Compares targets on one noisy box: each job warms up for `warmupMs`, then the jobs alternate for
 * `rounds` rounds of `durationMs` and the better round of each counts (results in the jobs' order).
 */
export async function bestOfAlternating(
  jobs: { label: string; job: Omit<LoadJob, 'durationMs'> }[],
  plan: { warmupMs: number; durationMs: number; rounds: number },
  log: (line: string) => void,
): Promise<LoadResult[]> {
  for (const { label, job } of jobs) {
    log(`${label}: warm-up (${plan.warmupMs} ms)…`);
    await runLoad({ ...job, durationMs: plan.warmupMs });
  }
  const kept: (LoadResult | undefined)[] = jobs.map(() => undefined);
  for (let round = 1; round <= plan.rounds; round++) {
    for (const [index, { label, job }] of jobs.entries()) {
      log(`${label}, round ${round}…`);
      kept[index] = better(kept[index], await runLoad({ ...job, durationMs: plan.durationMs }));
    }
  }
  return kept as LoadResult[];
}
