import { DatabaseTarget, TestDatabase, createTestDatabase, databaseTargets } from './test-database';
import { BusTarget, TestVhost, busTargets, createTestVhost } from './test-broker';

/** `embedded`: PGlite + in-process bus (what `npm start` runs). `servers`: real PostgreSQL + RabbitMQ. */
export type StackTarget = 'embedded' | 'servers';

const PARTS: Record<StackTarget, { database: DatabaseTarget; bus: BusTarget }> = {
  embedded: { database: 'embedded', bus: 'in-process' },
  servers: { database: 'postgres', bus: 'rabbitmq' },
};

export interface TestStack {
  readonly target: StackTarget;
  readonly database: TestDatabase;
  readonly vhost?: TestVhost;
  /** Overrides for `loadConfig({...})`: database, bus, quiet logs, any free port. */
  readonly env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** The stacks an app-level spec runs against: `embedded` always, `servers` when both real services are configured (required in CI). */
export function stackTargets(): StackTarget[] {
  const databases = databaseTargets();
  const buses = busTargets();
  return databases.includes('postgres') && buses.includes('rabbitmq') ? ['embedded', 'servers'] : ['embedded'];
}

/** A fresh database (and vhost) for one spec. */
export async function createTestStack(target: StackTarget): Promise<TestStack> {
  const database = await createTestDatabase(PARTS[target].database);
  const vhost = PARTS[target].bus === 'rabbitmq' ? await createTestVhost() : undefined;
  return {
    target,
    database,
    vhost,
    env: { ...database.env, ...(vhost ? { AMQP_URL: vhost.url } : {}), LOG_LEVEL: 'silent', PORT: '0' },
    cleanup: async () => {
      await vhost?.drop();
      await database.cleanup();
    },
  };
}
