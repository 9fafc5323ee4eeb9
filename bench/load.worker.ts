/**
 * The load generator, run in a worker thread so that the server (main thread) and the client do not
 * share one event loop. Node built-ins only: the worker has no tsconfig-paths.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadJob, LoadResult } from './load';

interface Answer {
  status: number;
  body: string;
}

function send(agent: Agent, job: LoadJob, body: string | undefined, keepBody: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...job.headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = request(`${job.origin}${job.path}`, { method: job.method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        if (keepBody) {
          chunks.push(chunk);
        }
      });
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

async function run(job: LoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let issued = 0;
  let stopReason: string | undefined;
  const started = performance.now();
  const deadline = started + job.durationMs;
  const more = () => stopReason === undefined && issued < job.maxRequests && performance.now() < deadline;

  const record = (status: number | string, t0: number) => {
    latencies.push(performance.now() - t0);
    statuses[status] = (statuses[status] ?? 0) + 1;
  };

  if (job.kind === 'fixed') {
    const loop = async (connection: number) => {
      const own = job.authorizations;
      const mine = own ? { ...job, headers: { ...job.headers, authorization: own[connection % own.length] } } : job;
      while (more()) {
        issued += 1;
        const t0 = performance.now();
        try {
          record((await send(agent, mine, job.body, false)).status, t0);
        } catch (error) {
          record((error as NodeJS.ErrnoException).code ?? 'network', t0);
        }
      }
    };
    await Promise.all(Array.from({ length: job.connections }, (_, connection) => loop(connection)));
  } else {
    // One rotation at a time, each presenting the successor the previous one returned.
    let refresh = job.refresh ?? '';
    while (more()) {
      issued += 1;
      const t0 = performance.now();
      const answer = await send(agent, job, JSON.stringify({ refresh }), true).catch(
        (error: NodeJS.ErrnoException) => ({ status: 0, body: error.code ?? 'network' }),
      );
      record(answer.status || answer.body, t0);
      if (answer.status !== job.expectStatus) {
        stopReason = `chain broken: ${answer.status} ${answer.body.slice(0, 120)}`;
        break;
      }
      refresh = (JSON.parse(answer.body) as { refresh: string }).refresh;
    }
  }

  const elapsedMs = performance.now() - started;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const ok = statuses[job.expectStatus] ?? 0;
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
    stopReason,
  };
}

run(workerData as LoadJob).then(
  (result) => parentPort?.postMessage({ result }),
  (error: unknown) =>
    parentPort?.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
