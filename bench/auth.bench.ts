import { runLoad, type LoadJob } from './load';
import { AUTHENTICATED_PATH, PUBLIC_PATH, VERIFY_ONLY_PATH } from './probe.module';
import type { Row } from './report';
import { benchUser, type BenchApi } from './stack';

export interface BenchOptions {
  /** Measured time per scenario. */
  durationMs: number;
  /** Unmeasured time per route before the measurements (JIT, pools, caches). */
  warmupMs: number;
  /** Requests kept in flight for the route scenarios. */
  connections: number;
  /** Hard cap on the requests of one scenario. */
  maxRequests: number;
}

/**
 * The auth benchmark (issue 3): the same handler with and without the JWT guard, same server,
 * same run (plus a diagnostic row: the token check alone, without the guard's user lookup), and
 * sequential refresh rotations. Rows: [public, authenticated, verify-only, refresh].
 */
export async function authBench(api: BenchApi, options: BenchOptions, log: (line: string) => void): Promise<Row[]> {
  const reader = await benchUser(api, 'bench-reader');
  const rotator = await benchUser(api, 'bench-rotator');
  const base = {
    origin: api.origin,
    connections: options.connections,
    maxRequests: options.maxRequests,
    expectStatus: 200,
  } as const;
  const publicJob: LoadJob = {
    ...base,
    kind: 'fixed',
    method: 'GET',
    path: PUBLIC_PATH,
    headers: {},
    durationMs: options.durationMs,
  };
  const authenticatedJob: LoadJob = {
    ...publicJob,
    path: AUTHENTICATED_PATH,
    headers: { authorization: `Bearer ${reader.access}` },
  };

  const verifyOnlyJob: LoadJob = { ...authenticatedJob, path: VERIFY_ONLY_PATH };

  log(`warming up (${options.warmupMs} ms per route)…`);
  for (const job of [publicJob, authenticatedJob, verifyOnlyJob]) {
    const warm = await runLoad({ ...job, durationMs: options.warmupMs });
    if (warm.errors > 0) {
      throw new Error(`warm-up of ${job.path} failed: ${JSON.stringify(warm.statuses)}`);
    }
  }

  log(`GET ${PUBLIC_PATH} (@Public) …`);
  const unauthenticated: Row = { scenario: 'GET, @Public() (no token)', result: await runLoad(publicJob) };
  log(`GET ${AUTHENTICATED_PATH} (@Authenticated) …`);
  const authenticated: Row = {
    scenario: 'GET, @Authenticated() (Bearer)',
    result: await runLoad(authenticatedJob),
    baseline: unauthenticated,
  };
  log(`GET ${VERIFY_ONLY_PATH} (@Public, JWT checked in the handler) …`);
  const verifyOnly: Row = {
    scenario: 'GET, JWT verify only (no user lookup)',
    result: await runLoad(verifyOnlyJob),
    baseline: unauthenticated,
  };
  log('POST /api/token/refresh/ chain …');
  const refresh: Row = {
    scenario: 'refresh rotation, sequential chain',
    result: await runLoad({
      ...base,
      kind: 'refresh-chain',
      method: 'POST',
      path: '/api/token/refresh/',
      headers: {},
      connections: 1,
      durationMs: options.durationMs,
      refresh: rotator.refresh,
    }),
  };
  return [unauthenticated, authenticated, verifyOnly, refresh];
}
