import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { UsersService } from '@app/auth';
import { DEFAULT_SWEEP_BATCH_SIZE, EXPIRY_SWEEP_JOB, ExpirySweeper, LedgerService } from '@app/ledger';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import type { BenchOptions } from './auth.bench';
import type { LoadResult } from './load';
import type { ExchangeLoadJob } from './ledger-load.worker';
import { pgbenchSimpleUpdate } from './pgbench';
import { formatTable, type Row } from './report';
import type { BenchApi } from './stack';
import type { Metric } from './summary';

const SWEEP_TOKENS = Number(process.env.BENCH_SWEEP_TOKENS ?? 100_000);
const LAG_TOKENS = 2_000;
const nanResult = (perSecond: number, requests: number, elapsedMs: number): LoadResult => ({
  requests,
  ok: requests,
  errors: 0,
  statuses: {},
  elapsedMs,
  perSecond,
  p50: Number.NaN,
  p99: Number.NaN,
  max: Number.NaN,
});

function exchangeLoad(job: ExchangeLoadJob): Promise<LoadResult> {
  const bootstrap = `require('ts-node').register({ transpileOnly: true }); require(${JSON.stringify(require.resolve('./ledger-load.worker'))});`;
  const worker = new Worker(bootstrap, { eval: true, workerData: job });
  return new Promise<LoadResult>((resolve, reject) => {
    worker.once('message', (message: { result?: LoadResult; error?: string }) => {
      void worker.terminate();
      return message.result ? resolve(message.result) : reject(new Error(message.error ?? 'load worker failed'));
    });
    worker.once('error', reject);
  });
}

async function signIn(api: BenchApi, username: string, role: 'customer' | 'vendor'): Promise<string> {
  const password = randomBytes(12).toString('hex');
  await api.app.get(UsersService).create({ username, password, role, email: `${username}@bench.invalid` });
  const response = await fetch(`${api.origin}/api/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return ((await response.json()) as { access: string }).access;
}

/** `count` expired tokens held by `owners`, with the grants and holds creations would have written. */
async function seedExpired(sql: DataSource, owners: number[], count: number): Promise<void> {
  const perOwner = Math.ceil(count / owners.length);
  await sql.query(
    `INSERT INTO ledger_entries (user_id, type, points) SELECT id, 'grant', $2::bigint FROM unnest($1::int[]) AS u(id)`,
    [owners, perOwner],
  );
  await sql.query(
    `INSERT INTO point_accounts (user_id, held) SELECT id, $2::bigint FROM unnest($1::int[]) AS u(id)
     ON CONFLICT (user_id) DO UPDATE SET held = point_accounts.held + EXCLUDED.held`,
    [owners, perOwner],
  );
  await sql.query(
    `WITH made AS (
       INSERT INTO exchange_tokens (token, user_id, points, expires_at)
       SELECT md5(random()::text || u.id || '-' || g), u.id, 1, now() - interval '1 minute'
       FROM unnest($1::int[]) AS u(id), generate_series(1, $2::int) g RETURNING token, user_id, points
     )
     INSERT INTO ledger_entries (user_id, type, points, token_id) SELECT user_id, 'hold', points, token FROM made`,
    [owners, perOwner],
  );
}

/** The same release as one unbatched statement: the baseline for the sweep's tokens/s. */
const BULK_RELEASE = `
  WITH expired AS MATERIALIZED (
    SELECT token, user_id, points FROM exchange_tokens WHERE status = 'active' AND expires_at <= now() FOR UPDATE
  ), released AS (
    INSERT INTO ledger_entries (user_id, type, points, token_id, reason) SELECT user_id, 'release', points, token, 'expired' FROM expired RETURNING user_id, points
  ), per_user AS (SELECT user_id, sum(points) AS points FROM released GROUP BY user_id
  ), credited AS (
    UPDATE point_accounts a SET balance = a.balance + p.points, held = a.held - p.points FROM per_user p WHERE a.user_id = p.user_id RETURNING 1
  ), deleted AS (DELETE FROM exchange_tokens t USING expired e WHERE t.token = e.token RETURNING 1)
  SELECT count(*) AS n FROM deleted`;

async function owners(sql: DataSource, prefix: string, count: number): Promise<number[]> {
  const rows = await sql.query<{ id: number }[]>(
    `INSERT INTO users (username, password_hash) SELECT $1 || g, 'x' FROM generate_series(1, $2::int) g RETURNING id`,
    [prefix, count],
  );
  return rows.map((row) => row.id);
}

/** Runs `fn` while sampling the heap; returns its duration and the heap's peak growth in MB. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; heapMb: number }> {
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 10);
  const t0 = performance.now();
  try {
    const result = await fn();
    return { result, ms: performance.now() - t0, heapMb: (peak - start) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * The exchange-token benchmark (issue 4): create+validate pairs over HTTP against pgbench's
 * simple-update at the same client count; the batched sweep of a 100k backlog against one bulk
 * statement; and the restore lag of the every-second cron. Returns the report's lines.
 */
export async function ledgerBench(
  api: BenchApi,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<{ lines: string[]; metrics: Metric[] }> {
  const sql = api.app.get(DataSource);
  const cron = api.app.get(SchedulerRegistry).getCronJob(EXPIRY_SWEEP_JOB);
  const lines: string[] = [];

  // 1. create + validate over HTTP, one customer per connection.
  const customers: string[] = [];
  for (let i = 0; i < options.connections; i++) {
    customers.push(await signIn(api, `bench-customer-${i}`, 'customer'));
    await api.app.get(LedgerService).grant(`bench-customer-${i}`, 1_000_000_000);
  }
  const vendor = await signIn(api, 'bench-vendor', 'vendor');
  const job: ExchangeLoadJob = {
    origin: api.origin,
    customers,
    vendor,
    durationMs: options.warmupMs,
    maxRequests: options.maxRequests,
  };
  log(`create + validate warm-up (${options.warmupMs} ms)…`);
  await exchangeLoad(job);
  log(`create + validate, ${options.connections} connections…`);
  const pairs = await exchangeLoad({ ...job, durationMs: options.durationMs });
  const rows: Row[] = [];
  let pgbenchRow: Row | undefined;
  if (api.databaseUrl !== undefined) {
    log(`pgbench simple-update, ${options.connections} clients…`);
    const server = new URL(api.databaseUrl);
    server.pathname = '/postgres';
    const tps = await pgbenchSimpleUpdate(server.toString(), options.connections, options.durationMs);
    pgbenchRow = {
      scenario: `pgbench simple-update, ${options.connections} clients (TPS)`,
      result: nanResult(tps, Math.round((tps * options.durationMs) / 1000), options.durationMs),
    };
    rows.push(pgbenchRow);
  }
  const pairRow: Row = { scenario: 'create + validate over HTTP (pairs/s)', result: pairs, baseline: pgbenchRow };
  rows.push(pairRow);

  // 2. The sweep of a backlog, the cron paused so that it does not take part.
  await cron.stop();
  log(`seeding ${SWEEP_TOKENS} expired tokens…`);
  const sweepOwners = await owners(sql, 'bench-sweep-', 100);
  await seedExpired(sql, sweepOwners, SWEEP_TOKENS);
  // Both measurements start from an analysed table without dead rows, as autovacuum keeps it.
  await sql.query('VACUUM ANALYZE exchange_tokens');
  log('bulk release baseline (one statement)…');
  const bulk = await measured(() => sql.query<{ n: string }[]>(BULK_RELEASE));
  const bulkTokens = Number(bulk.result[0].n);
  await seedExpired(sql, sweepOwners, SWEEP_TOKENS);
  await sql.query('VACUUM ANALYZE exchange_tokens');
  log(`ExpirySweeper.sweep (batches of ${DEFAULT_SWEEP_BATCH_SIZE})…`);
  const sweep = await measured(() => api.app.get(ExpirySweeper).sweep({ trigger: 'cli' }));
  const bulkRow: Row = {
    scenario: `bulk release, one statement (tokens/s)`,
    result: nanResult((bulkTokens / bulk.ms) * 1000, bulkTokens, bulk.ms),
  };
  const sweepRow: Row = {
    scenario: `ExpirySweeper, batches of ${DEFAULT_SWEEP_BATCH_SIZE} (tokens/s)`,
    result: nanResult((sweep.result.tokens / sweep.ms) * 1000, sweep.result.tokens, sweep.ms),
    baseline: bulkRow,
  };
  rows.push(bulkRow, sweepRow);

  // 3. Restore lag with the cron back on: tokens expiring over the next few seconds.
  cron.start();
  const lagOwners = await owners(sql, 'bench-lag-', 20);
  await sql.query(
    `INSERT INTO ledger_entries (user_id, type, points) SELECT id, 'grant', $2::bigint FROM unnest($1::int[]) AS u(id)`,
    [lagOwners, LAG_TOKENS],
  );
  await sql.query(`INSERT INTO point_accounts (user_id, held) SELECT id, $2::bigint FROM unnest($1::int[]) AS u(id)`, [
    lagOwners,
    LAG_TOKENS / lagOwners.length,
  ]);
  await sql.query(`UPDATE point_accounts SET balance = $2::bigint - held WHERE user_id = ANY($1::int[])`, [
    lagOwners,
    LAG_TOKENS,
  ]);
  const made = await sql.query<{ token: string; expires_at: Date }[]>(
    `WITH made AS (
       INSERT INTO exchange_tokens (token, user_id, points, expires_at)
       SELECT md5(random()::text || u.id || '-lag-' || g), u.id, 1, now() + interval '1 second' + random() * interval '4 seconds'
       FROM unnest($1::int[]) AS u(id), generate_series(1, $2::int) g RETURNING token, user_id, points, expires_at
     ), held AS (INSERT INTO ledger_entries (user_id, type, points, token_id) SELECT user_id, 'hold', points, token FROM made)
     SELECT token, expires_at FROM made`,
    [lagOwners, LAG_TOKENS / lagOwners.length],
  );
  log(
    `restore lag: ${made.length} tokens expiring over 4 s, cron "${process.env.EXCHANGE_EXPIRY_CRON ?? '* * * * * *'}"…`,
  );
  const tokens = made.map((row) => row.token);
  const deadline = Date.now() + 15_000;
  let released: { token_id: string; created_at: Date }[] = [];
  while (Date.now() < deadline) {
    released = await sql.query(
      `SELECT token_id, created_at FROM ledger_entries WHERE type = 'release' AND token_id = ANY($1)`,
      [tokens],
    );
    if (released.length === tokens.length) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const expiry = new Map(made.map((row) => [row.token, row.expires_at.getTime()]));
  const lags = released
    .map((row) => row.created_at.getTime() - (expiry.get(row.token_id) ?? Number.NaN))
    .sort((a, b) => a - b);

  const p50 = percentile(lags, 0.5) / 1000;
  const p99 = lags.length === tokens.length ? percentile(lags, 0.99) / 1000 : Number.NaN;
  lines.push(formatTable(rows));
  if (pairs.errors > 0) {
    lines.push(`note: create+validate statuses ${JSON.stringify(pairs.statuses)}`);
  }
  const metrics: Metric[] = [
    {
      metric: `create+validate over HTTP vs pgbench (${options.connections} clients)`,
      unit: '/s',
      hourglass: pairs.perSecond,
      baseline: pgbenchRow && { name: 'pgbench simple-update TPS', value: pgbenchRow.result.perSecond },
      // Without a server there is no pgbench baseline, so no ratio to hold against the goal.
      ...(pgbenchRow === undefined
        ? { note: 'no baseline: pgbench needs BENCH_DATABASE_URL' }
        : { goal: { ratioAtLeast: 0.5 } }),
    },
    {
      metric: `expiry sweep of ${SWEEP_TOKENS} tokens`,
      unit: 'tokens/s',
      hourglass: sweepRow.result.perSecond,
      baseline: { name: 'one bulk statement', value: bulkRow.result.perSecond },
      goal: { ratioAtLeast: 0.5 },
      note: `heap +${sweep.heapMb.toFixed(1)} MB during the sweep`,
    },
    { metric: 'restore lag p50 (default cron)', unit: 's', hourglass: p50 },
    {
      metric: 'restore lag p99 (default cron)',
      unit: 's',
      hourglass: p99,
      goal: { atMost: 1.5 },
      note: lags.length === tokens.length ? undefined : `only ${lags.length}/${tokens.length} released in 15 s`,
    },
  ];
  return { lines, metrics };
}
