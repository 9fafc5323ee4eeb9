import type { BenchAccount } from './accounts';
import type { BenchApi } from './api-process';
import type { BenchOptions } from './auth.bench';
import { exchangeLoad, spenders } from './ledger.bench';
import { runLoad } from './load';
import { median } from './rss';
import type { Metric } from './summary';

/** Issue 12: RSS does not grow over the soak: the end stays within 10 % of the start (after a warm-up). */
const GROWTH_ALLOWED = 1.1;
const VERIFY_CONNECTIONS = 2;

/**
 * Issue 12: RSS of every API process (primary and cluster workers) under a steady load for
 * `soakMs`: create+validate pairs of `options.connections` customers plus token verifications. The
 * first sixth of the run (at most 5 s) warms up; the median RSS of the next window (the same length)
 * is the start, the median of the last window the end. Also each process's largest RSS of the
 * whole bench run.
 */
export async function soakBench(
  api: BenchApi,
  vendor: BenchAccount,
  soakMs: number,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<{ lines: string[]; metrics: Metric[] }> {
  const wholeRun = api.rss.window();
  const maxOverRun = new Map(wholeRun.map(({ pid, series }) => [pid, Math.max(...series.map((s) => s.mb))]));
  if (soakMs === 0) {
    return {
      lines: ['soak skipped (BENCH_SOAK_MS=0)'],
      metrics: wholeRun.map(({ pid, role }) => ({
        metric: `RSS under load, API ${role} ${pid} (max)`,
        unit: 'MB',
        hourglass: maxOverRun.get(pid) ?? Number.NaN,
      })),
    };
  }
  const customers = await spenders(api, 'bench-soak', options.connections);
  const window = Math.min(5_000, soakMs / 6);
  log(`soak: ${soakMs} ms of create+validate (${options.connections} customers) + verify, RSS sampled…`);
  const started = performance.now();
  const forever = Number.MAX_SAFE_INTEGER;
  const [pairs, verify] = await Promise.all([
    exchangeLoad({
      origin: api.origin,
      customers: customers.map((account) => account.access),
      vendor: vendor.access,
      durationMs: soakMs,
      maxRequests: forever,
    }),
    runLoad({
      kind: 'fixed',
      origin: api.origin,
      method: 'POST',
      path: '/api/token/verify/',
      headers: {},
      body: JSON.stringify({ token: customers[0].access }),
      connections: VERIFY_CONNECTIONS,
      durationMs: soakMs,
      maxRequests: forever,
      expectStatus: 200,
    }),
  ]);
  const ended = performance.now();
  const load = `${pairs.perSecond.toFixed(0)} pairs/s + ${verify.perSecond.toFixed(0)} verify/s${
    pairs.errors + verify.errors > 0
      ? `, errors ${JSON.stringify(pairs.statuses)} ${JSON.stringify(verify.statuses)}`
      : ''
  }`;
  const metrics: Metric[] = api.rss.window(started, ended).map(({ pid, role, series }) => {
    const mbIn = (from: number, to: number) => series.filter((s) => s.at >= from && s.at <= to).map((s) => s.mb);
    const start = median(mbIn(started + window, started + 2 * window));
    const end = median(mbIn(ended - window, ended));
    const max = Math.max(...series.map((s) => s.mb));
    return {
      metric: `RSS over a ${(soakMs / 1000).toFixed(0)} s soak, API ${role} ${pid}`,
      unit: 'MB',
      hourglass: end,
      baseline: { name: 'start, after warm-up', value: start },
      goal: { atMost: start * GROWTH_ALLOWED },
      note: `soak max ${max.toFixed(0)} MB, bench max ${Math.max(max, maxOverRun.get(pid) ?? 0).toFixed(0)} MB`,
    };
  });
  return { lines: [`soak load: ${load}`], metrics };
}
