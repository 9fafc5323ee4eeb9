import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The HTTP baseline on the same cores as the API: a bare Node `http` server in a process of its
 * own (bench/bare-http.server.ts), with `workers` `node:cluster` workers (one process for 1),
 * answering `body` to every request. Resolves once every worker listens.
 */
export async function startBareHttp(workers: number, body: string): Promise<{ origin: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['-r', require.resolve('ts-node/register/transpile-only'), require.resolve('./bare-http.server')],
    {
      env: { PATH: process.env.PATH, BARE_HTTP_WORKERS: String(workers), BARE_HTTP_BODY: body },
      // The IPC channel only tells the server when the bench is gone.
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  const { stdout } = child;
  if (stdout === null) {
    throw new Error('spawn gave the bare http server no stdout pipe');
  }
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await gone;
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the bare http server did not start within 30 s')), 30_000);
      createInterface({ input: stdout }).once('line', (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code) => reject(new Error(`the bare http server exited (${code})`)));
    });
    return { origin: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
