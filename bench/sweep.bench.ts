import type { PoolClient } from 'pg';
import type { BenchApi } from './api-process';
import { nanResult, type Row } from './report';
import type { Metric } from './summary';

const SWEEP_TOKENS = Number(process.env.BENCH_SWEEP_TOKENS ?? 100_000);
const LAG_TOKENS = 2_000;

/**
 * `count` expired tokens held by `owners`, with the grants and holds creations would have written
 * (the rows the API's own statements leave: see libs/ledger's migrations and repositories).
 */
export async function seedExpired(sql: PoolClient, owners: number[], count: number): Promise<void> {
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

/** Backlog owners, inserted directly: they only hold seeded tokens and never sign in. */
export async function owners(api: BenchApi, prefix: string, count: number): Promise<number[]> {
  const { rows } = await api.sql.query<{ id: number }>(
    `INSERT INTO users (username, password_hash) SELECT $1 || g, 'x' FROM generate_series(1, $2::int) g RETURNING id`,
    [prefix, count],
  );
  return rows.map((row) => row.id);
}

/** `fn` in one transaction of its own (on the embedded database, the API waits for it meanwhile). */
export async function inTransaction<T>(api: BenchApi, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await api.sql.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Per API process, its RSS just before `from` and its largest RSS in [from, to] (performance.now() times), in MB. */
function rssDuring(api: BenchApi, before: number, from: number, to: number): string {
  return api.rss
    .window(before, to)
    .map(({ series }) => {
      const start = series.filter((s) => s.at <= from).at(-1)?.mb ?? Number.NaN;
      const peak = Math.max(...series.filter((s) => s.at >= from).map((s) => s.mb));
      return `${start.toFixed(0)} → max ${peak.toFixed(0)}`;
    })
    .join(', ');
}

/**
 * A backlog of SWEEP_TOKENS expired tokens released by the API's own every-second cron, as it
 * runs in production (its batches' durations read back from `sweep_runs`), against one bulk
 * statement releasing the same backlog (seeded and released in one transaction the cron cannot see).
 */
export async function sweepRows(api: BenchApi, log: (line: string) => void): Promise<{ rows: Row[]; metric: Metric }> {
  const sweepOwners = await owners(api, 'bench-sweep-', 100);
  // Both measurements start from an analysed table without dead rows, as autovacuum keeps it.
  await api.sql.query('VACUUM ANALYZE exchange_tokens');
  log(`bulk release baseline: ${SWEEP_TOKENS} expired tokens, one statement…`);
  const bulk = await inTransaction(api, async (client) => {
    await seedExpired(client, sweepOwners, SWEEP_TOKENS);
    const t0 = performance.now();
    const { rows } = await client.query<{ n: string }>(BULK_RELEASE);
    return { tokens: Number(rows[0].n), ms: performance.now() - t0 };
  });
  await api.sql.query('VACUUM ANALYZE exchange_tokens');
  log(`seeding ${SWEEP_TOKENS} expired tokens for the API's expiry cron…`);
  const before = performance.now();
  const since = await inTransaction(api, async (client) => {
    await seedExpired(client, sweepOwners, SWEEP_TOKENS);
    return (await client.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0].t;
  });
  const committed = performance.now();
  const seeded = Math.ceil(SWEEP_TOKENS / sweepOwners.length) * sweepOwners.length;
  // Done when the seeded tokens are gone and the cron has recorded the runs that released them
  // (a run's `sweep_runs` row is written after its last batch commits).
  const deadline = committed + 120_000;
  let left = seeded;
  let cleared = Number.NaN;
  let rows: { runs: string; tokens: string; ms: string }[] = [];
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (left > 0) {
      const count = await api.sql.query<{ n: string }>(
        'SELECT count(*) AS n FROM exchange_tokens WHERE user_id = ANY($1)',
        [sweepOwners],
      );
      left = Number(count.rows[0].n);
      cleared = performance.now();
    }
    rows = (
      await api.sql.query<{ runs: string; tokens: string; ms: string }>(
        `SELECT count(*) AS runs, coalesce(sum(tokens), 0) AS tokens, coalesce(sum(duration_ms), 0) AS ms
         FROM sweep_runs WHERE trigger = 'cron' AND finished_at >= $1`,
        [since],
      )
    ).rows;
    if (left === 0 && Number(rows[0].tokens) >= seeded) {
      break;
    }
  }
  const runs = Number(rows[0].runs);
  const sweptTokens = Number(rows[0].tokens);
  const sweptMs = Number(rows[0].ms);
  const bulkRow: Row = {
    scenario: 'bulk release, one statement (tokens/s)',
    result: nanResult((bulk.tokens / bulk.ms) * 1000, bulk.tokens, bulk.ms),
  };
  const sweepRow: Row = {
    scenario: `API expiry cron, ${runs} run(s) (tokens/s of sweep time)`,
    result: nanResult((sweptTokens / Math.max(1, sweptMs)) * 1000, sweptTokens, sweptMs),
    baseline: bulkRow,
  };
  const rss = rssDuring(api, before, committed, cleared);
  return {
    rows: [bulkRow, sweepRow],
    metric: {
      metric: `expiry sweep of ${SWEEP_TOKENS} tokens (API cron)`,
      unit: 'tokens/s',
      hourglass: left === 0 ? sweepRow.result.perSecond : Number.NaN,
      baseline: { name: 'one bulk statement', value: bulkRow.result.perSecond },
      goal: { ratioAtLeast: 0.5 },
      note:
        left === 0
          ? `cleared ${((cleared - committed) / 1000).toFixed(1)} s after commit; API RSS ${rss} MB`
          : `${left} tokens still live after 120 s`,
    },
  };
}

/** Restore lag with the API's default cron: LAG_TOKENS tokens expiring over the next few seconds. */
export async function restoreLag(api: BenchApi, log: (line: string) => void): Promise<Metric[]> {
  const lagOwners = await owners(api, 'bench-lag-', 20);
  const perOwner = LAG_TOKENS / lagOwners.length;
  const made = await inTransaction(api, async (client) => {
    await client.query(
      `INSERT INTO ledger_entries (user_id, type, points) SELECT id, 'grant', $2::bigint FROM unnest($1::int[]) AS u(id)`,
      [lagOwners, perOwner],
    );
    await client.query(
      `INSERT INTO point_accounts (user_id, balance, held) SELECT id, 0, $2::bigint FROM unnest($1::int[]) AS u(id)`,
      [lagOwners, perOwner],
    );
    const { rows } = await client.query<{ token: string; expires_at: Date }>(
      `WITH made AS (
         INSERT INTO exchange_tokens (token, user_id, points, expires_at)
         SELECT md5(random()::text || u.id || '-lag-' || g), u.id, 1, now() + interval '1 second' + random() * interval '4 seconds'
         FROM unnest($1::int[]) AS u(id), generate_series(1, $2::int) g RETURNING token, user_id, points, expires_at
       ), held AS (INSERT INTO ledger_entries (user_id, type, points, token_id) SELECT user_id, 'hold', points, token FROM made)
       SELECT token, expires_at FROM made`,
      [lagOwners, perOwner],
    );
    return rows;
  });
  log(`restore lag: ${made.length} tokens expiring over 4 s, cron "${api.env.EXCHANGE_EXPIRY_CRON ?? '* * * * * *'}"…`);
  const tokens = made.map((row) => row.token);
  const deadline = Date.now() + 15_000;
  let released: { token_id: string; created_at: Date }[] = [];
  while (Date.now() < deadline) {
    released = (
      await api.sql.query<{ token_id: string; created_at: Date }>(
        `SELECT token_id, created_at FROM ledger_entries WHERE type = 'release' AND token_id = ANY($1)`,
        [tokens],
      )
    ).rows;
    if (released.length === tokens.length) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const expiry = new Map(made.map((row) => [row.token, row.expires_at.getTime()]));
  const lags = released
    .map((row) => row.created_at.getTime() - (expiry.get(row.token_id) ?? Number.NaN))
    .sort((a, b) => a - b);
  const complete = lags.length === tokens.length;
  return [
    { metric: 'restore lag p50 (default cron)', unit: 's', hourglass: percentile(lags, 0.5) / 1000 },
    {
      metric: 'restore lag p99 (default cron)',
      unit: 's',
      hourglass: complete ? percentile(lags, 0.99) / 1000 : Number.NaN,
      goal: { atMost: 1.5 },
      note: complete ? undefined : `only ${lags.length}/${tokens.length} released in 15 s`,
    },
  ];
}
