import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import type { BenchOptions } from './auth.bench';
import { runLoad } from './load';
import type { Row } from './report';

/**
 * The HTTP baseline: a bare Node `http` server answering the probe's JSON, in this process's main
 * thread like the API, under the same load generator. What is left is Nest + Express + our
 * middleware (logging, metrics, guard, filters) per request.
 */
export async function bareHttpRow(options: BenchOptions, log: (line: string) => void): Promise<Row> {
  const body = JSON.stringify({ ok: true });
  const server = createServer((_request, response) => {
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const job = {
    kind: 'fixed',
    origin,
    method: 'GET',
    path: '/',
    headers: {},
    connections: options.connections,
    maxRequests: options.maxRequests,
    expectStatus: 200,
  } as const;
  try {
    await runLoad({ ...job, durationMs: options.warmupMs });
    log('GET on a bare Node http server …');
    return {
      scenario: 'GET, bare Node http server',
      result: await runLoad({ ...job, durationMs: options.durationMs }),
    };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
