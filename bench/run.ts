/**
 * `npm run bench`: starts the built API as a user starts it (a child process, all its cores, its
 * default logging, its cluster mode), measures it over loopback HTTP with a load generator in a
 * worker thread of this process, then the libraries in process (JWT, bus, Vinted, WhatsApp).
 * Not a test (never run by `npm test`); bounded in time (~BENCH_DURATION_MS per scenario, plus the soak).
 *
 * Environment: BENCH_DURATION_MS (5000), BENCH_WARMUP_MS (1000), BENCH_CONNECTIONS (10),
 * BENCH_MAX_REQUESTS (200000 per scenario), BENCH_SOAK_MS (60000; 0 skips the soak);
 * BENCH_DATABASE_URL / BENCH_AMQP_URL to run on servers; BENCH_API_NODE_ARGS: Node options for the API
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it under the load);
 * BENCH_PEER_URL (+ BENCH_PEER_USER, BENCH_PEER_PASSWORD, BENCH_PEER_CONNECTIONS): the Django peer, bench/peer.bench.ts;
 * API_WORKERS, LOG_LEVEL, DATABASE_POOL_SIZE, EXCHANGE_*, JWT_* and AUTH_THROTTLE_* pass through to the API
 * (the rate limit is lifted by default).
 */
import 'reflect-metadata';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { vendor } from './accounts';
import { type BenchApi, startBenchApi } from './api-process';
import { AUTHENTICATED_PATH, PUBLIC_PATH, authBench, type BenchOptions } from './auth.bench';
import { busMetrics } from './bus.bench';
import { historyBench } from './history.bench';
import { jwtMetrics } from './jwt.bench';
import { ledgerBench } from './ledger.bench';
import { outboxBench } from './outbox.bench';
import { PEER_SKIPPED, creationSpread, peerBench, peerSettingsFromEnv } from './peer.bench';
import { formatTable } from './report';
import { soakBench } from './soak.bench';
import { Metric, formatSummary, writeMarkdown } from './summary';
import { vintedMetrics } from './vinted.bench';
import { whatsappMetrics } from './whatsapp.bench';

/** Issue 12: a @Public() GET at ≥ 0.5× a bare Node http server on the same cores. */
const PUBLIC_GET_GOAL = 0.5;
const RESULTS_PATH = join(__dirname, 'results', 'latest.md');

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got ${raw}`);
  }
  return value;
}

/** Everything measured against the running API; returns the report's title and metrics. */
async function againstTheApi(
  api: BenchApi,
  options: BenchOptions,
  soakMs: number,
  log: (line: string) => void,
): Promise<{ title: string; metrics: Metric[] }> {
  const metrics: Metric[] = [];
  const rows = await authBench(api, options, log);
  const [bare, unauthenticated, authenticated, refresh] = rows;
  const cpu = cpus();
  const title =
    `Hourglass benchmark: Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}; ${api.description};` +
    ` ${options.connections} keep-alive connections, ${options.durationMs} ms per scenario;` +
    ` the load generator runs in this machine's cores too (a worker thread of the bench process), so it competes with the API`;
  console.log(`\n${title}\n`);
  console.log(formatTable(rows));
  metrics.push(
    {
      metric: `GET ${PUBLIC_PATH} (@Public) vs bare Node http`,
      unit: 'req/s',
      hourglass: unauthenticated.result.perSecond,
      baseline: { name: `bare Node http, ${api.servingProcesses()} process(es)`, value: bare.result.perSecond },
      goal: { ratioAtLeast: PUBLIC_GET_GOAL },
    },
    {
      metric: `GET ${AUTHENTICATED_PATH} (@Authenticated, one balance read) vs @Public`,
      unit: 'req/s',
      hourglass: authenticated.result.perSecond,
      baseline: { name: `GET ${PUBLIC_PATH}`, value: unauthenticated.result.perSecond },
    },
    { metric: 'refresh rotations (sequential chain)', unit: 'rot/s', hourglass: refresh.result.perSecond },
  );
  for (const row of rows) {
    if (row.result.errors > 0 || row.result.stopReason) {
      console.log(
        `note: ${row.scenario}: statuses ${JSON.stringify(row.result.statuses)}${row.result.stopReason ? `; ${row.result.stopReason}` : ''}`,
      );
    }
  }
  const seller = await vendor(api, 'bench-vendor');
  const ledger = await ledgerBench(api, seller, options, log);
  console.log(
    `\nExchange tokens (issues 4, 12): ${options.connections} connections, ${options.durationMs} ms per scenario\n\n${ledger.lines.join('\n')}`,
  );
  metrics.push(...ledger.metrics);
  const outbox = await outboxBench(api, log);
  console.log(`\nDomain events through the outbox (issue 15)\n\n${outbox.lines.join('\n')}`);
  metrics.push(...outbox.metrics);
  const history = await historyBench(api, seller, options, log);
  console.log(`\nA long history (issue 12), better of two alternating rounds\n\n${history.lines.join('\n')}`);
  metrics.push(...history.metrics);

  const peer = peerSettingsFromEnv();
  const compared =
    peer === undefined
      ? await creationSpread(api, options.connections, undefined, options, log)
      : await peerBench(api, peer, options, log);
  console.log(
    peer === undefined
      ? `\n${PEER_SKIPPED}\n\n${compared.lines.join('\n')}`
      : `\nAgainst the Django peer (issue 12): ${peer.connections} connections, ${options.durationMs} ms per round, better of two\n\n${compared.lines.join('\n')}`,
  );
  metrics.push(...compared.metrics);

  const soak = await soakBench(api, seller, soakMs, options, log);
  console.log(`\nMemory (issue 12)\n\n${soak.lines.join('\n')}`);
  metrics.push(...soak.metrics);

  // The books after everything above, seeded rows included, as an operator checks them.
  const verified = JSON.parse(
    await api.cli(['ledger', 'verify', '--json']).catch((error: { stdout?: string }) => error.stdout ?? '{}'),
  ) as {
    consistent?: boolean;
    problems?: string[];
  };
  metrics.push({
    metric: '`ledger verify` after the run',
    unit: 'problems',
    hourglass: verified.consistent === undefined ? Number.NaN : (verified.problems?.length ?? 0),
    goal: { atMost: 0 },
  });
  return { title, metrics };
}

async function main(): Promise<void> {
  const options: BenchOptions = {
    durationMs: intFromEnv('BENCH_DURATION_MS', 5_000, 100, 15_000),
    warmupMs: intFromEnv('BENCH_WARMUP_MS', 1_000, 0, 10_000),
    connections: intFromEnv('BENCH_CONNECTIONS', 10, 1, 256),
    maxRequests: intFromEnv('BENCH_MAX_REQUESTS', 200_000, 1, 5_000_000),
  };
  const soakMs = intFromEnv('BENCH_SOAK_MS', 60_000, 0, 600_000);
  const t0 = performance.now();
  const log = (line: string) =>
    process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(0)}s] ${line}\n`);
  const booted = Date.now();
  const api = await startBenchApi(log);
  log(`API up on ${api.origin} (${api.description}) in ${Date.now() - booted} ms`);
  // Interrupted, the bench still stops the API and drops its database.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the API`);
    void api.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  let report: { title: string; metrics: Metric[] };
  try {
    report = await againstTheApi(api, options, soakMs, log);
  } finally {
    process.removeListener('SIGINT', interrupted).removeListener('SIGTERM', interrupted);
    log(`API logged ${(api.logBytes() / 2 ** 20).toFixed(0)} MB; stopping it`);
    await api.close();
  }
  // In-process library baselines, once the API is gone so that it takes no core from them.
  const { title, metrics } = report;
  metrics.push(...(await jwtMetrics(Math.min(options.durationMs, 2_000), log)));
  metrics.push(...(await busMetrics(log)));
  metrics.push(...(await vintedMetrics(log)));
  metrics.push(...(await whatsappMetrics(log)));
  console.log(`\n${formatSummary(metrics)}`);
  writeMarkdown(RESULTS_PATH, title, metrics);
  log(`table written to ${RESULTS_PATH}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
