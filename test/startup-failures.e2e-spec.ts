import {
  AppProcess,
  TcpProxy,
  TestDatabase,
  TestStack,
  createTestDatabase,
  createTestStack,
  databaseTargets,
  runApp,
  stackTargets,
} from '@app/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Issue 14, item 3: a start that cannot succeed says why in one line on stderr and exits 1; the
// boot is logged as it happens. These specs run the compiled entry points (`npm run build`).

/** A port another program holds, as the API binds it (every interface). */
async function occupyPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((listening) => server.listen(0, () => listening()));
  const { port } = server.address() as AddressInfo;
  return { port, release: () => new Promise((closed) => server.close(() => closed())) };
}

/** The JSON log lines of a process's stdout. */
function logLines(stdout: string): { time: number; level: number; context?: string; msg: string }[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { time: number; level: number; context?: string; msg: string });
}

const createdb = (url: string, name: string) => {
  const { hostname, port, username } = new URL(url);
  return `createdb -h ${hostname}${port ? ` -p ${port}` : ''}${username ? ` -U ${username}` : ''} ${name}`;
};

describe('a second API on a port that is taken', () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase('embedded')));
  afterAll(async () => database?.cleanup());

  it('says which port in one line on stderr, exits 1, and never claims to have started', async () => {
    const busy = await occupyPort();
    try {
      const result = await runApp('api', { ...database.env, PORT: String(busy.port), LOG_LEVEL: 'info' });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `Hourglass failed to start: port ${busy.port} is already in use (another Hourglass or another program): stop it or set PORT.\n`,
      );
      expect(result.stdout).not.toMatch(/successfully started|Hourglass is listening|Hourglass API ready/);
    } finally {
      await busy.release();
    }
  });
});

describe('the boot log', () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase('embedded')));
  afterAll(async () => database?.cleanup());

  it('is written as it happens: each line carries its own time, Nest’s detail only at debug', async () => {
    const info = AppProcess.start('api', { ...database.env, PORT: '0', LOG_LEVEL: 'info' });
    try {
      await info.waitFor(/Hourglass API ready in/);
    } finally {
      await info.stop();
    }
    const atInfo = logLines(info.stdout);
    // Nest's own line per module and route is detail, and says nothing before the port is open.
    expect(atInfo.filter(({ context }) => ['InstanceLoader', 'RouterExplorer'].includes(context ?? ''))).toEqual([]);
    expect(info.stdout).not.toMatch(/successfully started/);

    const debug = AppProcess.start('api', { ...database.env, PORT: '0', LOG_LEVEL: 'debug' });
    try {
      await debug.waitFor(/Hourglass API ready in/);
    } finally {
      await debug.stop();
    }
    const lines = logLines(debug.stdout);
    const first = lines.findIndex(({ msg }) => msg === 'Starting Nest application...');
    const opened = lines.findIndex(({ context }) => context === 'EmbeddedPostgres');
    const ready = lines.findIndex(({ msg }) => msg.startsWith('Hourglass API ready in'));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(lines.filter(({ context }) => context === 'InstanceLoader').length).toBeGreaterThan(10);
    expect(first).toBeLessThan(opened);
    expect(opened).toBeLessThan(ready);
    // Opening the embedded PostgreSQL (a WebAssembly build) alone takes far longer than 50 ms:
    // lines written from a buffer once the app was built would all carry nearly the same time.
    expect(lines[opened].time - lines[first].time).toBeGreaterThanOrEqual(50);
    const times = lines.slice(first, ready + 1).map(({ time }) => time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('a worker whose RabbitMQ does not answer', () => {
  it('tries for about 10 s, a warning each time, then says so in one line and exits 1', async () => {
    const closed = await occupyPort();
    await closed.release(); // a port nothing listens on
    const dataDir = mkdtempSync(join(tmpdir(), 'hg-w-'));
    try {
      const result = await runApp('worker', {
        DATA_DIR: dataDir,
        AMQP_URL: `amqp://guest:guest@127.0.0.1:${closed.port}`,
        WHATSAPP_DRIVER: 'simulator',
        LOG_LEVEL: 'info',
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `^Worker failed to start: Cannot reach RabbitMQ at 127\\.0\\.0\\.1:${closed.port} \\(connect ECONNREFUSED [^)]+\\): start it, or fix AMQP_URL\\.\\n$`,
        ),
      );
      const warnings = logLines(result.stdout).filter(({ msg }) => msg.includes('Trying again in 2 s (consumer)'));
      expect(warnings).toHaveLength(5);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

const onServer = databaseTargets().includes('postgres');

(onServer ? describe : describe.skip)('DATABASE_URL naming a database that does not exist', () => {
  let server: TestDatabase;
  let missingUrl: string;
  const name = `hg_missing_${process.pid}_${Date.now()}`;
  beforeAll(async () => {
    server = await createTestDatabase('postgres');
    const url = new URL(server.env.DATABASE_URL);
    url.pathname = `/${name}`;
    missingUrl = url.toString();
  });
  afterAll(async () => server?.cleanup());

  it('stops the API at once with the createdb line that creates it', async () => {
    const startedAt = Date.now();
    const result = await runApp('api', { DATA_DIR: server.dataDir, DATABASE_URL: missingUrl, LOG_LEVEL: 'info' });
    expect(Date.now() - startedAt).toBeLessThan(8_000); // no retries: waiting cannot create it
    const { hostname, port } = new URL(missingUrl);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `Hourglass failed to start: Database "${name}" does not exist on the PostgreSQL server at ${hostname}:${port || 5432}: ` +
        `create it with \`${createdb(missingUrl, name)}\`, or fix DATABASE_URL.\n`,
    );
    expect(result.stdout).not.toMatch(/successfully started|Hourglass is listening/);
  });

  it('stops the worker the same way', async () => {
    const result = await runApp('worker', {
      DATA_DIR: server.dataDir,
      DATABASE_URL: missingUrl,
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
      WHATSAPP_DRIVER: 'baileys',
      LOG_LEVEL: 'info',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^Worker failed to start: Database "${name}" does not exist .*\`${createdb(missingUrl, name)}\`.*\\n$`,
      ),
    );
    expect(result.stderr.split('\n')).toHaveLength(2); // one line, then the final newline
  });
});

(onServer ? describe : describe.skip)('a PostgreSQL server that is not up yet', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const url = new URL(database.env.DATABASE_URL);
    proxy = await TcpProxy.start(url.hostname, Number(url.port || 5432));
  });
  afterAll(async () => {
    await proxy?.cut();
    await database?.cleanup();
  });

  it('is waited for by the API, a warning without a stack at each attempt, and the API starts once it answers', async () => {
    await proxy.cut();
    const api = AppProcess.start('api', {
      ...database.env,
      DATABASE_URL: proxy.wrap(database.env.DATABASE_URL),
      PORT: '0',
      LOG_LEVEL: 'info',
    });
    try {
      await api.waitFor(/Trying again in 2 s \(attempt 1 of 6\)/);
      await proxy.restore();
      await api.waitFor(/Hourglass is listening on/);
      const warning = logLines(api.stdout).find(({ context }) => context === 'Database');
      expect(warning?.level).toBe(40);
      expect(warning?.msg).toMatch(
        /^Cannot reach the PostgreSQL server at 127\.0\.0\.1:\d+ \(connect ECONNREFUSED [^)]+\): start it, or fix DATABASE_URL\. Trying again in 2 s \(attempt 1 of 6\)\.$/,
      );
      expect(api.stdout).not.toMatch(/\n\s+at /);
      expect(api.stderr).toBe('');
    } finally {
      expect(await api.stop()).toBe('SIGTERM');
    }
  });
});

const withServers = stackTargets().includes('servers');

(withServers ? describe : describe.skip)('on PostgreSQL and RabbitMQ', () => {
  let stack: TestStack;
  beforeAll(async () => (stack = await createTestStack('servers')));
  afterAll(async () => stack?.cleanup());

  it('says once that the port is taken in cluster mode, and exits 1 instead of restarting', async () => {
    const busy = await occupyPort();
    try {
      const result = await runApp('api', {
        ...stack.env,
        PORT: String(busy.port),
        API_WORKERS: '2',
        LOG_LEVEL: 'info',
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `Hourglass failed to start: port ${busy.port} is already in use (another Hourglass or another program): stop it or set PORT.\n`,
      );
      expect(result.stdout).not.toMatch(/successfully started|restarting/);
    } finally {
      await busy.release();
    }
  });

  it('stops the worker at once when RabbitMQ refuses its login', async () => {
    const url = new URL(stack.env.AMQP_URL);
    url.password = 'not-the-password';
    const result = await runApp('worker', { ...stack.env, AMQP_URL: url.toString(), LOG_LEVEL: 'info' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `Worker failed to start: RabbitMQ at ${url.hostname}:${url.port || 5672} refused the login of ` +
        `"${decodeURIComponent(url.username) || 'guest'}": fix the user or password in AMQP_URL.\n`,
    );
  });
});
