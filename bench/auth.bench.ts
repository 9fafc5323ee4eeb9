import { customer } from './accounts';
import type { BenchApi } from './api-process';
import { startBareHttp } from './http.bench';
import { bestOfAlternating, runLoad, type LoadJob } from './load';
import type { Row } from './report';

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
 * A cheap real @Public() GET that runs the whole pipeline every API route runs (access log,
 * metrics, guard, filters): the JWKS, a constant answer (`{"keys":[]}` with HS256). The liveness
 * probe would be cheaper still, but it is left out of the access log, unlike the routes users call.
 */
export const PUBLIC_PATH = '/api/.well-known/jwks.json';
/** An @Authenticated() GET: the guard (token, user) then one balance read. */
export const AUTHENTICATED_PATH = '/api/points/';

/**
 * The HTTP and auth benchmark on real routes of the running API: a @Public() GET against a bare
 * Node `http` server on the same cores (as many processes as the API serves with, answering the
 * same body; alternating, better of two), an @Authenticated() GET, and sequential refresh
 * rotations. Rows: [bare, public, authenticated, refresh].
 */
export async function authBench(api: BenchApi, options: BenchOptions, log: (line: string) => void): Promise<Row[]> {
  const reader = await customer(api, 'bench-reader');
  const rotator = await customer(api, 'bench-rotator');
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

  const warm = await runLoad({ ...authenticatedJob, durationMs: options.warmupMs });
  if (warm.errors > 0) {
    throw new Error(`warm-up of ${AUTHENTICATED_PATH} failed: ${JSON.stringify(warm.statuses)}`);
  }
  const workers = api.servingProcesses();
  const body = await (await fetch(`${api.origin}${PUBLIC_PATH}`)).text();
  const bareServer = await startBareHttp(workers, body);
  const [publicResult, bareResult] = await bestOfAlternating(
    [
      { label: `GET ${PUBLIC_PATH} (@Public)`, job: publicJob },
      {
        label: `GET on a bare Node http server, ${workers} process(es)`,
        job: { ...publicJob, origin: bareServer.origin, path: '/' },
      },
    ],
    { warmupMs: options.warmupMs, durationMs: options.durationMs, rounds: 2 },
    log,
  ).finally(() => bareServer.stop());
  const bare: Row = { scenario: `GET, bare Node http, ${workers} process(es)`, result: bareResult };
  const unauthenticated: Row = { scenario: `GET ${PUBLIC_PATH} (@Public)`, result: publicResult, baseline: bare };
  log(`GET ${AUTHENTICATED_PATH} (@Authenticated) …`);
  const authenticated: Row = {
    scenario: `GET ${AUTHENTICATED_PATH} (@Authenticated)`,
    result: await runLoad(authenticatedJob),
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
  return [bare, unauthenticated, authenticated, refresh];
}
