import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/**
 * pgbench's built-in `simple-update` script on a scratch database of the same server, at the same
 * client count as the Hourglass load it is compared with. Returns transactions per second.
 */
export async function pgbenchSimpleUpdate(serverUrl: string, clients: number, durationMs: number): Promise<number> {
  const name = `hourglass_pgbench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    await run('pgbench', ['-i', '-q', '-s', '1', url.toString()], { timeout: 120_000 });
    const seconds = Math.max(1, Math.round(durationMs / 1000));
    const { stdout } = await run(
      'pgbench',
      [
        '-n',
        '-b',
        'simple-update',
        '-c',
        String(clients),
        '-j',
        String(Math.min(clients, 2)),
        '-T',
        String(seconds),
        url.toString(),
      ],
      {
        timeout: (seconds + 60) * 1000,
      },
    );
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
    if (tps === null) {
      throw new Error(`unexpected pgbench output:\n${stdout}`);
    }
    return Number(tps[1]);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}
