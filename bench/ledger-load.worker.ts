/**
 * The exchange load generator (worker thread, Node built-ins only): each connection loops
 * "a customer creates a token, a vendor validates it" over keep-alive HTTP. One pair = one request.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadResult } from './load';

export interface ExchangeLoadJob {
  origin: string;
  /** One customer access token per connection, so the pairs do not queue on one account row. */
  customers: string[];
  vendor: string;
  durationMs: number;
  maxRequests: number;
}

function post(
  agent: Agent,
  origin: string,
  path: string,
  access: string,
  payload: object,
): Promise<{ status: number; body: string }> {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const headers = {
      authorization: `Bearer ${access}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    const req = request(`${origin}${path}`, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function run(job: ExchangeLoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.customers.length * 2 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let issued = 0;
  const started = performance.now();
  const deadline = started + job.durationMs;
  const loop = async (customer: string) => {
    while (issued < job.maxRequests && performance.now() < deadline) {
      issued += 1;
      const t0 = performance.now();
      let status: string;
      try {
        const created = await post(agent, job.origin, '/api/exchange-tokens/', customer, { points: 1 });
        if (created.status !== 201) {
          status = `create ${created.status}`;
        } else {
          const { token } = JSON.parse(created.body) as { token: string };
          status = String(
            (await post(agent, job.origin, '/api/exchange-tokens/validate/', job.vendor, { token })).status,
          );
        }
      } catch (error) {
        status = (error as NodeJS.ErrnoException).code ?? 'network';
      }
      latencies.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(job.customers.map(loop));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const ok = statuses['201'] ?? 0;
  return {
    requests: latencies.length,
    ok,
    errors: latencies.length - ok,
    statuses,
    elapsedMs,
    perSecond: (ok / elapsedMs) * 1000,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies.at(-1) ?? Number.NaN,
  };
}

run(workerData as ExchangeLoadJob).then(
  (result) => parentPort?.postMessage({ result }),
  (error: unknown) =>
    parentPort?.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
