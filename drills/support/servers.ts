import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Stops and starts the machine's real PostgreSQL and RabbitMQ, as an operator (or a crash) would.
 * Only the fault drills use these, serially, after the test suite: every other client of the
 * servers sees the outage too.
 */
function postgresVersion(): string {
  const versions = readdirSync('/etc/postgresql').sort();
  if (versions.length === 0) {
    throw new Error('no PostgreSQL cluster under /etc/postgresql');
  }
  return versions[versions.length - 1];
}

async function pgctl(action: 'stop' | 'start'): Promise<void> {
  const args = [
    '--skip-systemctl-redirect',
    postgresVersion(),
    'main',
    action,
    ...(action === 'stop' ? ['--', '-m', 'fast'] : []),
  ];
  await run('pg_ctlcluster', args, { timeout: 60_000 });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not come back within ${timeoutMs} ms`);
}

/** `pg_ctlcluster … stop -m fast`: every connection is cut, new ones are refused. */
export async function stopPostgres(): Promise<void> {
  await pgctl('stop');
}

export async function startPostgres(): Promise<void> {
  await pgctl('start');
  await waitFor(
    async () => (await run('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432'])).stdout !== undefined,
    'PostgreSQL',
  );
}

/** `rabbitmqctl stop_app`: the broker closes every connection and refuses new ones; the node stays up. */
export async function stopRabbitApp(): Promise<void> {
  await run('rabbitmqctl', ['stop_app'], { timeout: 120_000 });
}

export async function startRabbitApp(): Promise<void> {
  await run('rabbitmqctl', ['start_app'], { timeout: 120_000 });
  await waitFor(async () => {
    await run('rabbitmq-diagnostics', ['-q', 'check_port_connectivity'], { timeout: 30_000 });
    return true;
  }, 'RabbitMQ');
}
