import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The RabbitMQ of the test environment (guest/guest on localhost); set TEST_AMQP_URL to use it. */
export const DEFAULT_TEST_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
const RABBITMQCTL = process.env.RABBITMQCTL ?? '/usr/sbin/rabbitmqctl';

export type BusTarget = 'in-process' | 'rabbitmq';

/**
 * The bus transports a test file should run against: always `in-process`, plus `rabbitmq` when
 * TEST_AMQP_URL is set. In CI (CI=true) a missing TEST_AMQP_URL throws: a real service that is
 * not there is a failure, not a skip.
 */
export function busTargets(): BusTarget[] {
  if (process.env.TEST_AMQP_URL) {
    return ['in-process', 'rabbitmq'];
  }
  if (process.env.CI === 'true') {
    throw new Error(
      'TEST_AMQP_URL is not set, but CI=true: the RabbitMQ tests must run in CI (e.g. TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5672)',
    );
  }
  return ['in-process'];
}

/** A RabbitMQ virtual host owned by one test file. */
export interface TestVhost {
  /** The vhost's name, e.g. `hg-test-3f9a0c1b2d4e`. */
  vhost: string;
  /** TEST_AMQP_URL with this vhost as its path. */
  url: string;
  /** Deletes the vhost with all its queues and connections. */
  drop(): Promise<void>;
  /** Force-closes every client connection of this vhost only, as a broker connection loss would. */
  dropConnections(): Promise<void>;
}

/**
 * Creates an isolated vhost (`rabbitmqctl add_vhost` + `set_permissions` for the URL's user) on
 * the RabbitMQ of TEST_AMQP_URL, so test files never see each other's queues or messages.
 * rabbitmqctl must run on the broker's host (we run as root next to it).
 */
export async function createTestVhost(): Promise<TestVhost> {
  const base = new URL(process.env.TEST_AMQP_URL ?? DEFAULT_TEST_AMQP_URL);
  const vhost = `hg-test-${randomBytes(6).toString('hex')}`;
  const user = decodeURIComponent(base.username) || 'guest';
  await rabbitmqctl('add_vhost', vhost);
  await rabbitmqctl('set_permissions', '-p', vhost, user, '.*', '.*', '.*');
  const url = new URL(base.toString());
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return {
    vhost,
    url: url.toString(),
    drop: async () => {
      await rabbitmqctl('delete_vhost', vhost);
    },
    dropConnections: async () => {
      // One call closes exactly this vhost's connections (same effect as list_connections +
      // close_connection per pid, without a rabbitmqctl start-up per connection).
      await rabbitmqctl(
        'close_all_connections',
        '-p',
        vhost,
        '--limit',
        '100000',
        'hourglass test: simulated connection loss',
      );
    },
  };
}

async function rabbitmqctl(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(RABBITMQCTL, ['-q', ...args], { timeout: 30_000 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`rabbitmqctl ${args[0]} failed${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
}
