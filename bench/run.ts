/**
 * `npm run bench`: boots the real API in this process and measures it over loopback HTTP (auth,
 * then exchange tokens: bench/ledger.bench.ts).
 * Not a test (never run by `npm test`); bounded in time (~BENCH_DURATION_MS per scenario) and count.
 *
 * Environment: BENCH_DURATION_MS (5000), BENCH_WARMUP_MS (1000), BENCH_CONNECTIONS (10),
 * BENCH_MAX_REQUESTS (200000 per scenario); BENCH_DATABASE_URL / BENCH_AMQP_URL to run on servers;
 * BENCH_PEER_URL (+ BENCH_PEER_USER, BENCH_PEER_PASSWORD, BENCH_PEER_CONNECTIONS): the Django peer, bench/peer.bench.ts;
 * JWT_* and AUTH_THROTTLE_* pass through to the API's configuration (the rate limit is lifted by default).
 */
import 'reflect-metadata';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { authBench, type BenchOptions } from './auth.bench';
import { ledgerBench } from './ledger.bench';
import { busMetrics } from './bus.bench';
import { bareHttpRow } from './http.bench';
import { jwtMetrics } from './jwt.bench';
import { PEER_SKIPPED, peerBench, peerSettingsFromEnv } from './peer.bench';
import { BenchProbeModule } from './probe.module';
import { formatTable } from './report';
import { benchUser, startBenchApi } from './stack';
import { Metric, formatSummary, writeMarkdown } from './summary';
import { vintedMetrics } from './vinted.bench';
import { whatsappMetrics } from './whatsapp.bench';

/** Issue 3: an authenticated GET at ≥ 0.8 of the same route unauthenticated. */
const AUTH_RATIO_GOAL = 0.8;
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

async function main(): Promise<void> {
  const options: BenchOptions = {
    durationMs: intFromEnv('BENCH_DURATION_MS', 5_000, 100, 15_000),
    warmupMs: intFromEnv('BENCH_WARMUP_MS', 1_000, 0, 10_000),
    connections: intFromEnv('BENCH_CONNECTIONS', 10, 1, 256),
    maxRequests: intFromEnv('BENCH_MAX_REQUESTS', 200_000, 1, 5_000_000),
  };
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const booted = Date.now();
  const api = await startBenchApi([BenchProbeModule]);
  log(`API up on ${api.origin} (${api.description}) in ${Date.now() - booted} ms`);
  const metrics: Metric[] = [];
  let title = '';
  try {
    const rows = await authBench(api, options, log);
    const [unauthenticated, authenticated, , refresh] = rows;
    const bare = await bareHttpRow(options, log);
    unauthenticated.baseline = bare;
    const cpu = cpus();
    title =
      `Hourglass benchmark: Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}; ${api.description};` +
      ` ${options.connections} keep-alive connections, ${options.durationMs} ms per scenario, load generator in a worker thread`;
    console.log(`\n${title}\n`);
    console.log(formatTable([bare, ...rows]));
    metrics.push(
      {
        metric: 'GET, @Public() route (HTTP overhead)',
        unit: 'req/s',
        hourglass: unauthenticated.result.perSecond,
        baseline: { name: 'bare Node http', value: bare.result.perSecond },
      },
      {
        metric: 'GET, @Authenticated() vs @Public()',
        unit: 'req/s',
        hourglass: authenticated.result.perSecond,
        baseline: { name: '@Public() route', value: unauthenticated.result.perSecond },
        goal: { ratioAtLeast: AUTH_RATIO_GOAL },
      },
      { metric: 'refresh rotations (sequential chain)', unit: 'rot/s', hourglass: refresh.result.perSecond },
    );
    const reader = await benchUser(api, 'bench-jwt');
    metrics.push(...(await jwtMetrics(api, reader.access, Math.min(options.durationMs, 2_000), log)));
    metrics.push(...(await busMetrics(api, log)));
    metrics.push(...(await vintedMetrics(log)));
    for (const row of rows) {
      if (row.result.errors > 0 || row.result.stopReason) {
        console.log(
          `note: ${row.scenario}: statuses ${JSON.stringify(row.result.statuses)}${row.result.stopReason ? `; ${row.result.stopReason}` : ''}`,
        );
      }
    }
    const ledger = await ledgerBench(api, options, log);
    console.log(
      `\nExchange tokens (issue 4): ${options.connections} connections, ${options.durationMs} ms per scenario\n\n${ledger.lines.join('\n')}`,
    );
    metrics.push(...ledger.metrics);
    const peer = peerSettingsFromEnv();
    if (peer === undefined) {
      console.log(`\n${PEER_SKIPPED}`);
    } else {
      const compared = await peerBench(api, peer, options, log);
      console.log(
        `\nAgainst the Django peer (issue 12): ${peer.connections} connections, ${options.durationMs} ms per round, better of two\n\n${compared.lines.join('\n')}`,
      );
      metrics.push(...compared.metrics);
    }
  } finally {
    await api.close();
  }
  // After the API is gone: its consumer of whatsapp.worker.events would compete with the bench's.
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
