/**
 * The HTTP baseline, run as its own process by bench/http.bench.ts: a bare Node `http` server that
 * answers every request with BARE_HTTP_BODY (the API's answer to the route it is compared with).
 * With BARE_HTTP_WORKERS > 1 it is a `node:cluster` of that many workers, as the API's cluster
 * mode is, so both use the same cores. Prints `{"port":N}` once every worker listens.
 * Node built-ins only.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const workers = Number(process.env.BARE_HTTP_WORKERS ?? 1);
const body = process.env.BARE_HTTP_BODY ?? '{}';

function serve(onListening: (port: number) => void): void {
  const length = Buffer.byteLength(body);
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': length });
    response.end(body);
  });
  // Port 0 in every worker: the cluster primary hands them all the same port.
  server.listen(0, '127.0.0.1', () => onListening((server.address() as AddressInfo).port));
}

const announce = (port: number) => process.stdout.write(`${JSON.stringify({ port })}\n`);

// The bench holds an IPC channel to us: if it ends without stopping us (killed), so do we. Cluster
// workers hold one to the primary and end with it.
process.once('disconnect', () => process.exit(0));

if (workers <= 1) {
  serve(announce);
} else if (cluster.isPrimary) {
  let listening = 0;
  cluster.on('listening', (_worker, address) => {
    listening += 1;
    if (listening === workers) {
      announce(address.port);
    }
  });
  for (let i = 0; i < workers; i++) {
    cluster.fork();
  }
  process.once('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      worker?.process.kill('SIGTERM');
    }
    process.exit(0);
  });
} else {
  serve(() => undefined);
}
