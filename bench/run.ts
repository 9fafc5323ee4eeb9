/**
 * `npm run bench`: boots the real API in this process and measures it over loopback HTTP.
 * Not a test (never run by `npm test`); bounded in time (~BENCH_DURATION_MS per scenario) and count.
 *
 * Environment: BENCH_DURATION_MS (5000), BENCH_WARMUP_MS (1000), BENCH_CONNECTIONS (10),
 * BENCH_MAX_REQUESTS (200000 per scenario); BENCH_DATABASE_URL / BENCH_AMQP_URL to run on servers;
 * JWT_* and AUTH_THROTTLE_* pass through to the API's configuration (the rate limit is lifted by default).
 */
import 'reflect-metadata';
import { cpus } from 'node:os';
import { authBench, type BenchOptions } from './auth.bench';
import { BenchProbeModule } from './probe.module';
import { formatTable, ratio } from './report';
import { startBenchApi } from './stack';

const RATIO_GOAL = 0.8;

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
  try {
    const rows = await authBench(api, options, log);
    const [, authenticated, , refresh] = rows;
    const cpu = cpus();
    console.log(
      `\nHourglass auth benchmark: Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}; ${api.description};` +
        ` ${options.connections} keep-alive connections, ${options.durationMs} ms per scenario, load generator in a worker thread\n`,
    );
    console.log(formatTable(rows));
    const r = ratio(authenticated);
    console.log(`\nauthenticated / unauthenticated req/s: ${r.toFixed(2)} (goal ≥ ${RATIO_GOAL}: ${r >= RATIO_GOAL ? 'met' : 'NOT met'})`);
    console.log(`refresh rotations/s (sequential): ${refresh.result.perSecond.toFixed(0)}`);
    for (const row of rows) {
      if (row.result.errors > 0 || row.result.stopReason) {
        console.log(`note: ${row.scenario}: statuses ${JSON.stringify(row.result.statuses)}${row.result.stopReason ? `; ${row.result.stopReason}` : ''}`);
      }
    }
  } finally {
    await api.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
