import { randomBytes } from 'node:crypto';
import { type BenchAccount, customer, grant } from './accounts';
import type { BenchApi } from './api-process';
import type { BenchOptions } from './auth.bench';
import { LARGE_GRANT } from './ledger.bench';
import { bestOfAlternating, type LoadJob, type LoadResult } from './load';
import type { Metric } from './summary';
import { inTransaction } from './sweep.bench';

const HISTORY_TOKENS = Number(process.env.BENCH_HISTORY_TOKENS ?? 10_000);
/**
 * The baseline's history: two default pages (50 tokens each) of the status endpoint, so that both
 * users' first page is full and the comparison varies the history's length only, not the size of
 * the answer (a fresh user's empty page would be cheaper to render whatever the history costs).
 */
const SHORT_HISTORY = 100;
/**
 * "Flat" (issue 12): the user with the long history keeps at least this share of the short-history
 * user's throughput, the same scenario in the same run, the better of two alternating rounds. 0.8
 * leaves room for this box's noise (±10 % between rounds) while a cost that grows with the history
 * (a scan of its rows per request) would show as a ratio far below it.
 */
const FLAT_GOAL = 0.8;

/**
 * Gives `user` a history of `count` redeemed tokens, one a minute over the past days, with every row
 * a redemption leaves (see libs/ledger: the token marked used, its hold and capture entries, the
 * exchange request to `vendor`), all in one transaction; the grant that paid for them comes first.
 */
async function seedHistory(api: BenchApi, user: string, vendor: string, count: number): Promise<void> {
  const tokens = Array.from({ length: count }, () => randomBytes(24).toString('base64url'));
  await inTransaction(api, async (client) => {
    const { rows } = await client.query<{ id: number; username: string }>(
      'SELECT id, username FROM users WHERE username = ANY($1)',
      [[user, vendor]],
    );
    const id = (name: string) => rows.find((row) => row.username === name)?.id;
    const [userId, vendorId] = [id(user), id(vendor)];
    await client.query('INSERT INTO point_accounts (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING', [userId]);
    await client.query(
      `INSERT INTO ledger_entries (user_id, type, points, reason, created_at)
       VALUES ($1, 'grant', $2::bigint, 'bench history', now() - ($2::int + 1) * interval '1 minute')`,
      [userId, count],
    );
    await client.query(
      `INSERT INTO exchange_tokens (token, user_id, points, status, created_at, expires_at, used_at)
       SELECT t.token, $2, 1, 'used', at, at + interval '3 minutes', at + interval '20 seconds'
       FROM unnest($1::text[]) WITH ORDINALITY AS t(token, n),
            LATERAL (SELECT now() - ($3::int - n + 1) * interval '1 minute' AS at) a
       ORDER BY n`,
      [tokens, userId, count],
    );
    await client.query(
      `INSERT INTO ledger_entries (user_id, type, points, token_id, created_at)
       SELECT $1, e.type, 1, t.token, e.at
       FROM exchange_tokens t CROSS JOIN LATERAL (VALUES ('hold', t.created_at), ('capture', t.used_at)) e(type, at)
       WHERE t.user_id = $1 ORDER BY e.at`,
      [userId],
    );
    await client.query(
      `INSERT INTO exchange_requests (token, customer_id, vendor_id, points, created_at)
       SELECT token, $1, $2, 1, used_at FROM exchange_tokens WHERE user_id = $1 ORDER BY used_at`,
      [userId, vendorId],
    );
  });
  // The planner sees the new rows, as autovacuum's analyze would let it.
  await api.sql.query('ANALYZE exchange_tokens, ledger_entries, exchange_requests');
}

/** The statuses on the first status page of a user (the seeded history must be what the API reads). */
async function firstPage(api: BenchApi, access: string): Promise<string[]> {
  const response = await fetch(`${api.origin}/api/exchange-tokens/status/`, {
    headers: { authorization: `Bearer ${access}` },
  });
  const body = (await response.json()) as { tokens?: { status: string }[] };
  return (body.tokens ?? []).map((token) => token.status);
}

const describe = (r: LoadResult) => `${r.perSecond.toFixed(0)} req/s, p99 ${r.p99.toFixed(1)} ms`;

/**
 * Issue 12: status and create stay flat with HISTORY_TOKENS used tokens in the user's history. The
 * same two scenarios for a customer with SHORT_HISTORY used tokens and one with HISTORY_TOKENS,
 * alternating, better of two.
 */
export async function historyBench(
  api: BenchApi,
  vendor: BenchAccount,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<{ lines: string[]; metrics: Metric[] }> {
  const short = await customer(api, 'bench-history-short');
  const long = await customer(api, 'bench-history-long');
  log(`seeding ${SHORT_HISTORY} and ${HISTORY_TOKENS} redeemed tokens into two customers' histories…`);
  await seedHistory(api, short.username, vendor.username, SHORT_HISTORY);
  await seedHistory(api, long.username, vendor.username, HISTORY_TOKENS);
  for (const account of [short, long]) {
    await grant(api, account.username, LARGE_GRANT);
  }
  const pages = [await firstPage(api, short.access), await firstPage(api, long.access)];
  if (
    pages.some((page) => page.length === 0 || page.some((status) => status !== 'used')) ||
    pages[0].length !== pages[1].length
  ) {
    throw new Error(`the seeded histories are not what the API lists: ${JSON.stringify(pages)}`);
  }
  const base = {
    kind: 'fixed',
    origin: api.origin,
    connections: options.connections,
    maxRequests: options.maxRequests,
  };
  const status = (account: BenchAccount): Omit<LoadJob, 'durationMs'> => ({
    ...base,
    kind: 'fixed',
    method: 'GET',
    path: '/api/exchange-tokens/status/',
    headers: { authorization: `Bearer ${account.access}` },
    expectStatus: 200,
  });
  const create = (account: BenchAccount): Omit<LoadJob, 'durationMs'> => ({
    ...status(account),
    method: 'POST',
    path: '/api/exchange-tokens/',
    body: JSON.stringify({ points: 1 }),
    expectStatus: 201,
  });
  const plan = { warmupMs: options.warmupMs, durationMs: Math.max(1_000, options.durationMs / 2), rounds: 2 };
  const lines: string[] = [];
  const metrics: Metric[] = [];
  // Status first: the creations add active tokens to the top of both users' pages.
  for (const [name, job] of [
    ['GET /api/exchange-tokens/status/', status],
    ['POST /api/exchange-tokens/ {"points":1}', create],
  ] as const) {
    const [plain, heavy] = await bestOfAlternating(
      [
        { label: `${name}, ${SHORT_HISTORY} used tokens`, job: job(short) },
        { label: `${name}, ${HISTORY_TOKENS} used tokens`, job: job(long) },
      ],
      plan,
      log,
    );
    lines.push(
      `${name}: ${SHORT_HISTORY} used tokens ${describe(plain)}; ${HISTORY_TOKENS} used tokens ${describe(heavy)}`,
    );
    const errors = plain.errors + heavy.errors;
    metrics.push({
      metric: `${name.split(' ').slice(0, 2).join(' ')}, ${HISTORY_TOKENS} used tokens vs ${SHORT_HISTORY}`,
      unit: 'req/s',
      hourglass: heavy.perSecond,
      baseline: { name: `${SHORT_HISTORY} used tokens`, value: plain.perSecond },
      goal: { ratioAtLeast: FLAT_GOAL },
      note:
        errors > 0
          ? `errors: ${JSON.stringify(plain.statuses)} / ${JSON.stringify(heavy.statuses)}`
          : `p99 ${heavy.p99.toFixed(1)} vs ${plain.p99.toFixed(1)} ms`,
    });
  }
  return { lines, metrics };
}
