import {
  AppName,
  AppProcess,
  TestStack,
  createTestDatabase,
  createTestStack,
  runApp,
  stackTargets,
} from '@app/testing';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// These specs run the compiled entry points (`npm test` builds them first), as a user would.

describe('a bad configuration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hg-cfg-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each<[string, Record<string, string>, string]>([
    [
      'an integer',
      { PORT: 'eighty' },
      'Invalid configuration: PORT="eighty" is not an integer; expected an integer from 0 to 65535, e.g. 3000.',
    ],
    [
      'a range',
      { WHATSAPP_MAX_QR_RETRIES: '99' },
      'Invalid configuration: WHATSAPP_MAX_QR_RETRIES="99" is above 20; expected an integer from 0 to 20.',
    ],
    [
      'a duration',
      { JWT_ACCESS_TOKEN_LIFETIME: '2 hours' },
      'Invalid configuration: JWT_ACCESS_TOKEN_LIFETIME="2 hours" is not a duration; expected a duration such as 90s, 15m, 2h or 7d.',
    ],
    [
      'a boolean',
      { VINTED_AUTO_REFRESH_ENABLED: 'sometimes' },
      'Invalid configuration: VINTED_AUTO_REFRESH_ENABLED="sometimes" is not a boolean; expected true or false.',
    ],
    [
      'a choice',
      { WHATSAPP_DRIVER: 'puppeteer' },
      'Invalid configuration: WHATSAPP_DRIVER="puppeteer" is not a known driver; expected baileys or simulator.',
    ],
    [
      'a URL',
      { AMQP_URL: 'http://rabbit' },
      'Invalid configuration: AMQP_URL (value hidden) is not a amqp/amqps URL; expected an amqp://user:password@host:5672 URL.',
    ],
    [
      'a cron expression',
      { EXCHANGE_EXPIRY_CRON: '* * *' },
      'Invalid configuration: EXCHANGE_EXPIRY_CRON="* * *" is not a valid cron expression; expected a six-field cron expression, e.g. "* * * * * *".',
    ],
    [
      'a production secret',
      { NODE_ENV: 'production' },
      'Invalid configuration: JWT_SIGNING_KEY is not set; expected a random string of at least 32 characters (required when NODE_ENV=production).',
    ],
  ])('stops the API with exit 1 and one line for %s', async (_kind, env, line) => {
    const result = await runApp('api', { DATA_DIR: dataDir, ...env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.stdout).toBe('');
  });

  it.each<AppName>(['worker', 'cli'])('stops the %s the same way', async (app) => {
    const result = await runApp(app, { DATA_DIR: dataDir, AMQP_URL: 'amqp://127.0.0.1:5672', PORT: '-1' }, ['migrate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Invalid configuration: PORT="-1" is below 0; expected an integer from 0 to 65535, e.g. 3000.\n',
    );
  });
});

describe('npm start with nothing installed (embedded)', () => {
  it('serves /api/health on a fresh DATA_DIR, keeps its data over a restart, and shares it with the CLI', async () => {
    const database = await createTestDatabase('embedded');
    rmSync(join(database.dataDir, 'pgdata'), { recursive: true, force: true }); // a truly fresh directory, no template
    try {
      const first = await startApi(database.env);
      await expectHealthy(first.port);
      // The CLI attaches to the running app's socket instead of fighting it for the directory.
      const migrate = await runApp('cli', database.env, ['migrate']);
      expect(migrate).toMatchObject({ code: 0, stdout: 'The database schema is up to date: no migration to apply.\n' });
      // A second API on the same directory is refused with one clear line.
      const second = await runApp('api', { ...database.env, PORT: '0' });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        /^Hourglass failed to start: DATA_DIR .+ is in use by another Hourglass process \(pid \d+, api, since .+\)\. Stop it, use another DATA_DIR, or set DATABASE_URL\.\n$/,
      );
      expect(await first.process.stop()).toBe('SIGTERM');
      expect(existsSync(join(database.dataDir, 'hourglass.lock'))).toBe(false); // released on a graceful stop

      const warm = await startApi(database.env);
      await expectHealthy(warm.port);
      expect(warm.process.stdout).not.toMatch(/Applied migration/);
      expect(await warm.process.stop()).toBe('SIGTERM');
    } finally {
      await database.cleanup();
    }
  });
});

const withServers = stackTargets().includes('servers');

(withServers ? describe : describe.skip)('the worker with RabbitMQ', () => {
  let stack: TestStack;
  beforeAll(async () => (stack = await createTestStack('servers')));
  afterAll(async () => stack?.cleanup());

  it('connects to RabbitMQ and says it waits for commands', async () => {
    const worker = AppProcess.start('worker', { ...stack.env, WORKER_ID: 'worker-7', LOG_LEVEL: 'info' });
    try {
      await worker.waitFor(
        /Worker worker-7 is waiting for commands on whatsapp\.worker\.commands, whatsapp\.worker\.commands\.worker-7/,
      );
    } finally {
      expect(await worker.stop()).toBe('SIGTERM');
    }
  });
});

describe('the worker without AMQP_URL', () => {
  it('refuses to start and says why', async () => {
    const result = await runApp('worker', { DATA_DIR: mkdtempSync(join(tmpdir(), 'hg-w-')) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^The worker needs AMQP_URL/);
  });
});

async function startApi(env: Record<string, string>): Promise<{ process: AppProcess; port: number }> {
  const api = AppProcess.start('api', { ...env, PORT: '0' });
  const [, port] = await api.waitFor(/listening on http:\/\/localhost:(\d+)/);
  return { process: api, port: Number(port) };
}

async function expectHealthy(port: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/api/health`);
  expect(response.status).toBe(200);
  const ready = await fetch(`http://127.0.0.1:${port}/api/health/ready`);
  expect(ready.status).toBe(200);
}
