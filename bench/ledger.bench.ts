import { Worker } from 'node:worker_threads';
import { type BenchAccount, customer, grant } from './accounts';
import type { BenchApi } from './api-process';
import type { BenchOptions } from './auth.bench';
import type { LoadResult } from './load';
import type { ExchangeLoadJob } from './ledger-load.worker';
import { pgbenchSimpleUpdate } from './pgbench';
import { restoreLag, sweepRows } from './sweep.bench';
import { formatTable, nanResult, type Row } from './report';
import type { Metric } from './summary';

/** Issue 12: create+validate pairs at ≥ 0.25× pgbench simple-update (issue 4's 0.5 stays the stretch). */
const PAIRS_GOAL = 0.25;
const PAIRS_STRETCH = 0.5;
/** Points enough for every creation of a run. */
export const LARGE_GRANT = 1_000_000_000;

/** Runs the create+validate loop of bench/ledger-load.worker.ts in a worker thread. */
export function exchangeLoad(job: ExchangeLoadJob): Promise<LoadResult> {
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

/** `count` customers, registered and signed in over HTTP, each granted LARGE_GRANT points by the admin. */
export async function spenders(api: BenchApi, prefix: string, count: number): Promise<BenchAccount[]> {
  const accounts: BenchAccount[] = [];
  for (let i = 0; i < count; i++) {
    const account = await customer(api, `${prefix}-${i}`);
    await grant(api, account.username, LARGE_GRANT);
    accounts.push(account);
  }
  return accounts;
}

/**
 * The exchange-token benchmark (issues 4 and 12): create+validate pairs over HTTP against
 * pgbench's simple-update at the same client count; the API's expiry cron on a backlog against
 * one bulk statement; the restore lag of the every-second cron.
 */
export async function ledgerBench(
  api: BenchApi,
  vendor: BenchAccount,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<{ lines: string[]; metrics: Metric[] }> {
  // 1. create + validate over HTTP, one customer per connection.
  const customers = await spenders(api, 'bench-customer', options.connections);
  const job: ExchangeLoadJob = {
    origin: api.origin,
    customers: customers.map((account) => account.access),
    vendor: vendor.access,
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
  rows.push({ scenario: 'create + validate over HTTP (pairs/s)', result: pairs, baseline: pgbenchRow });

  // 2. and 3.: the sweep of a backlog, then the restore lag, both by the API's cron.
  const sweep = await sweepRows(api, log);
  rows.push(...sweep.rows);
  const lag = await restoreLag(api, log);

  const lines = [formatTable(rows)];
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
        : { goal: { ratioAtLeast: PAIRS_GOAL }, note: `stretch ${PAIRS_STRETCH}` }),
    },
    sweep.metric,
    ...lag,
  ];
  return { lines, metrics };
}
