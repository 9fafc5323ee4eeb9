/**
 * Issue 12: Hourglass against the seeds' own Django stack (the peer, /work/shared/peers/django-seed),
 * both on the same PostgreSQL server, driven by the same load generator in one run: the same
 * connections, duration and warm-up; the two targets alternate and the better of two rounds counts.
 *
 * Environment: BENCH_PEER_URL (unset: skipped), BENCH_PEER_USER / BENCH_PEER_PASSWORD (bench / pw: the
 * peer's seeded user with 1e9 points), BENCH_PEER_CONNECTIONS (16, as in the issue's wrk -c16).
 */
import { customer, grant, signIn } from './accounts';
import type { BenchApi } from './api-process';
import type { BenchOptions } from './auth.bench';
import { LARGE_GRANT, spenders } from './ledger.bench';
import { bestOfAlternating, runLoad, type LoadJob, type LoadResult } from './load';
import type { Metric } from './summary';

/** The issue's warm-up before each scenario. */
const WARMUP_MS = 2_000;
const ROUNDS = 2;

interface Target {
  name: string;
  origin: string;
  /** Access token of a user with no exchange tokens (verify, status). */
  reader: string;
  /** Access token of a user with points enough for every creation (the hot row). */
  spender: string;
}

export interface PeerSettings {
  origin: string;
  user: string;
  password: string;
  connections: number;
}

export function peerSettingsFromEnv(): PeerSettings | undefined {
  const url = process.env.BENCH_PEER_URL?.trim();
  if (!url) {
    return undefined;
  }
  const connections = Number(process.env.BENCH_PEER_CONNECTIONS ?? 16);
  if (!Number.isInteger(connections) || connections < 1 || connections > 256) {
    throw new Error(`BENCH_PEER_CONNECTIONS must be an integer in [1, 256], got ${process.env.BENCH_PEER_CONNECTIONS}`);
  }
  return {
    origin: new URL(url).origin,
    user: process.env.BENCH_PEER_USER ?? 'bench',
    password: process.env.BENCH_PEER_PASSWORD ?? 'pw',
    connections,
  };
}

export const PEER_SKIPPED =
  'peer (issue 12): skipped; start the Django peer (README, Benchmarks) and set BENCH_PEER_URL=http://127.0.0.1:8000';

/** How many exchange tokens the status scenario would list (the scenario wants none). */
async function tokensListed(origin: string, access: string): Promise<number> {
  const response = await fetch(`${origin}/api/exchange-tokens/status/`, {
    headers: { authorization: `Bearer ${access}` },
  });
  const body = (await response.json()) as { tokens?: unknown[] };
  return body.tokens?.length ?? 0;
}

interface Scenario {
  name: string;
  job: (target: Target) => Omit<LoadJob, 'origin' | 'connections' | 'durationMs' | 'maxRequests'>;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'POST /api/token/verify/',
    job: (t) => ({
      kind: 'fixed',
      method: 'POST',
      path: '/api/token/verify/',
      headers: {},
      body: JSON.stringify({ token: t.reader }),
      expectStatus: 200,
    }),
  },
  {
    name: 'GET /api/exchange-tokens/status/ (no tokens)',
    job: (t) => ({
      kind: 'fixed',
      method: 'GET',
      path: '/api/exchange-tokens/status/',
      headers: { authorization: `Bearer ${t.reader}` },
      expectStatus: 200,
    }),
  },
  {
    name: 'POST /api/exchange-tokens/ {"points":1}, one user',
    job: (t) => ({
      kind: 'fixed',
      method: 'POST',
      path: '/api/exchange-tokens/',
      headers: { authorization: `Bearer ${t.spender}` },
      body: JSON.stringify({ points: 1 }),
      expectStatus: 201,
    }),
  },
];

const describe = (r: LoadResult) =>
  `${r.perSecond.toFixed(0)} req/s, p99 ${r.p99.toFixed(1)} ms${r.errors > 0 ? `, statuses ${JSON.stringify(r.statuses)}` : ''}`;

/** Three scenarios, each: warm-up of both, then peer / Hourglass alternating for two rounds, the better kept. */
export async function peerBench(
  api: BenchApi,
  peer: PeerSettings,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<{ lines: string[]; metrics: Metric[] }> {
  const peerAccess = (await signIn(peer.origin, peer.user, peer.password)).access;
  const lines: string[] = [];
  const listed = await tokensListed(peer.origin, peerAccess);
  if (listed > 0) {
    lines.push(`note: the peer's ${peer.user} already has ${listed} tokens (restart its run.sh to reset them)`);
  }
  const reader = await customer(api, 'bench-peer-reader');
  const spender = await customer(api, 'bench-peer-spender');
  await grant(api, spender.username, LARGE_GRANT);
  const targets: Target[] = [
    { name: 'Django peer', origin: peer.origin, reader: peerAccess, spender: peerAccess },
    { name: 'Hourglass', origin: api.origin, reader: reader.access, spender: spender.access },
  ];
  const job = (target: Target, scenario: Scenario) => ({
    ...scenario.job(target),
    origin: target.origin,
    connections: peer.connections,
    maxRequests: options.maxRequests,
  });

  const best: LoadResult[][] = [];
  // The status scenario runs before any creation, so that both readers still have no tokens.
  for (const scenario of SCENARIOS) {
    const kept = await bestOfAlternating(
      targets.map((target) => ({ label: `${target.name}: ${scenario.name}`, job: job(target, scenario) })),
      { warmupMs: WARMUP_MS, durationMs: options.durationMs, rounds: ROUNDS },
      log,
    );
    best.push(kept);
    lines.push(`${scenario.name}: peer ${describe(kept[0])}; Hourglass ${describe(kept[1])}`);
  }

  const [verify, status, create] = best;
  const metrics: Metric[] = [
    rateMetric('POST /api/token/verify/ vs Django peer', verify, 5),
    rateMetric('GET exchange-tokens/status/ vs Django peer', status, 5),
    rateMetric('POST exchange-tokens/, one user vs Django peer', create, 3),
    {
      metric: 'POST exchange-tokens/, one user, p99',
      unit: 'ms',
      hourglass: create[1].p99,
      baseline: { name: 'Django peer', value: create[0].p99 },
      goal: { atMost: create[0].p99 },
    },
  ];

  const spread = await creationSpread(api, peer.connections, create[1], options, log);
  return { lines: [...lines, ...spread.lines], metrics: [...metrics, ...spread.metrics] };
}

/**
 * Hourglass alone: creation spread over `connections` users (one per connection, no shared row)
 * against one user (`oneUser`, measured by the peer comparison; measured here without the peer).
 */
export async function creationSpread(
  api: BenchApi,
  connections: number,
  oneUser: LoadResult | undefined,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<{ lines: string[]; metrics: Metric[] }> {
  const many = await spenders(api, 'bench-spread', connections);
  const base = { origin: api.origin, connections, maxRequests: options.maxRequests };
  const hot = {
    ...SCENARIOS[2].job({ name: 'Hourglass', origin: api.origin, reader: '', spender: many[0].access }),
    ...base,
  };
  const spread = { ...hot, authorizations: many.map((user) => `Bearer ${user.access}`) };
  const measure = async (job: Omit<LoadJob, 'durationMs'>, what: string) => {
    await runLoad({ ...job, durationMs: WARMUP_MS });
    log(`POST /api/exchange-tokens/, ${what}…`);
    return runLoad({ ...job, durationMs: options.durationMs });
  };
  const one = oneUser ?? (await measure(hot, 'one user'));
  const spreadResult = await measure(spread, `${connections} users`);
  return {
    lines: [
      `POST /api/exchange-tokens/, ${connections} connections: one user ${describe(one)}; ${connections} users ${describe(spreadResult)}`,
    ],
    metrics: [
      {
        metric: `POST exchange-tokens/, ${connections} users vs one user`,
        unit: 'req/s',
        hourglass: spreadResult.perSecond,
        baseline: { name: 'one user', value: one.perSecond },
        note: `p99 ${spreadResult.p99.toFixed(1)} vs ${one.p99.toFixed(1)} ms`,
      },
    ],
  };
}

function rateMetric(metric: string, [peer, hourglass]: LoadResult[], ratio: number): Metric {
  return {
    metric,
    unit: 'req/s',
    hourglass: hourglass.perSecond,
    baseline: { name: 'Django peer', value: peer.perSecond },
    goal: { ratioAtLeast: ratio },
    note: peer.errors + hourglass.errors > 0 ? 'errors, see above' : undefined,
  };
}
