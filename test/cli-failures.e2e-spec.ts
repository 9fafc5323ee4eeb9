import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DatabaseTarget,
  TestDatabase,
  createDatabaseTestApp,
  createTestDatabase,
  databaseTargets,
  runApp,
} from '@app/testing';
import { DataSource } from 'typeorm';

/**
 * The README's promise for the admin CLI: an expected failure (a usage error, bad input, an
 * unknown user, a database it cannot use, a missing table) is one line on stderr and exit status
 * 1; only a bug has a stack trace, and only with LOG_LEVEL=debug. The compiled CLI runs as
 * `npm run cli` runs it (`npm test` builds it first).
 */
const cli = (env: Record<string, string>, ...args: string[]) => runApp('cli', { LOG_LEVEL: 'info', ...env }, args);

/** Exactly one line on stderr, and what it says. */
function oneLine(stderr: string): string {
  expect(stderr.split('\n')).toHaveLength(2); // the line and the empty string after its newline
  return stderr.trimEnd();
}

const VINTED_SUBCOMMANDS = 'one of verify, diagnostic, init-session, test-refresh, report, rotate-secret';

describe('the CLI on a usage error', () => {
  let dataDir: string;
  let unreachable: Record<string, string>;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hg-cli-usage-'));
    // A port nothing listens on: a usage error must be answered without connecting anywhere.
    const server = createServer();
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
    const { port } = server.address() as AddressInfo;
    await new Promise((closed) => server.close(closed));
    unreachable = { DATA_DIR: dataDir, DATABASE_URL: `postgres://hourglass@127.0.0.1:${port}/hourglass` };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['ledger', 'verify'],
    ['users', 'create'],
    ['points', 'grant'],
    ['vinted', VINTED_SUBCOMMANDS],
    ['whatsapp', 'regenerate-qr'],
    ['webhooks', 'one of create, list, deliveries, redeliver, pause, resume, delete'],
  ])('names the subcommands of `%s` run without one, in one line', async (group, expected) => {
    const result = await cli(unreachable, group);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(result.stderr)).toBe(
      `error: '${group}' needs a subcommand: ${expected} (see \`npm run cli -- ${group} --help\`)`,
    );
  });

  it('calls an unknown subcommand unknown and lists the ones that exist', async () => {
    const result = await cli(unreachable, 'vinted', 'frob');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(result.stderr)).toBe(
      `error: unknown command 'frob' for 'vinted': expected ${VINTED_SUBCOMMANDS} (see \`npm run cli -- vinted --help\`)`,
    );
  });
});

describe('the CLI on a fresh embedded DATA_DIR', () => {
  let dataDir: string;
  beforeAll(() => (dataDir = mkdtempSync(join(tmpdir(), 'hg-cli-fresh-'))));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('applies the migrations itself, then runs the command', async () => {
    const created = await cli(
      { DATA_DIR: dataDir },
      'users',
      'create',
      '--username',
      'alice',
      '--password',
      'pw-123456',
    );
    expect(created).toMatchObject({ code: 0, stderr: '', stdout: 'Created customer "alice" (id 1).\n' });

    const migrate = await cli({ DATA_DIR: dataDir }, 'migrate');
    expect(migrate).toMatchObject({ code: 0, stdout: 'The database schema is up to date: no migration to apply.\n' });
  });
});

describe('the CLI on a PostgreSQL server it cannot use', () => {
  const server = process.env.TEST_DATABASE_URL?.trim();
  const onServer = server ? it : it.skip;
  let dataDir: string;
  beforeAll(() => (dataDir = mkdtempSync(join(tmpdir(), 'hg-cli-server-'))));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  onServer('says how to create a database that does not exist', async () => {
    const url = new URL(server ?? '');
    const name = `hg_missing_${process.pid}_${Date.now()}`;
    url.pathname = `/${name}`;
    const result = await cli(
      { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
      'users',
      'create',
      '--username',
      'a',
      '--password',
      'pw-123456',
    );
    expect(result).toMatchObject({ code: 1, stdout: '' });
    const port = url.port || '5432';
    expect(oneLine(result.stderr)).toBe(
      `Error: Database "${name}" does not exist on the PostgreSQL server at ${url.hostname}:${port}: ` +
        `create it with \`createdb -h ${url.hostname}${url.port ? ` -p ${url.port}` : ''}${url.username ? ` -U ${url.username}` : ''} ${name}\`, or fix DATABASE_URL.`,
    );
  });

  it('says at once that nothing answers', async () => {
    const listener = createServer();
    await new Promise<void>((listening) => listener.listen(0, '127.0.0.1', () => listening()));
    const { port } = listener.address() as AddressInfo;
    await new Promise((closed) => listener.close(closed));
    const startedAt = Date.now();
    const result = await cli(
      { DATA_DIR: dataDir, DATABASE_URL: `postgres://hourglass@127.0.0.1:${port}/hourglass` },
      'ledger',
      'verify',
    );
    expect(Date.now() - startedAt).toBeLessThan(8_000); // No retries: they took ~12 s.
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(result.stderr)).toBe(
      `Error: Cannot reach the PostgreSQL server at 127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}): start it, or fix DATABASE_URL.`,
    );
  });
});

describe.each(databaseTargets())('the CLI on the %s database', (target: DatabaseTarget) => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase(target)));
  afterAll(async () => database?.cleanup());

  /** Migrates, then runs `statements` as an operator at a psql prompt would (no CLI is running). */
  async function psql(...statements: string[]): Promise<void> {
    const app = await createDatabaseTestApp({ env: database.env });
    try {
      for (const statement of statements) {
        await app.get(DataSource).query(statement);
      }
    } finally {
      await app.close();
    }
  }

  it(
    target === 'embedded'
      ? 'applies pending migrations before a command'
      : 'refuses a command in one line while migrations are pending, and runs it once `migrate` applied them',
    async () => {
      const create = () => cli(database.env, 'users', 'create', '--username', 'bob', '--password', 'pw-123456');
      if (target === 'postgres') {
        const refused = await create();
        expect(refused).toMatchObject({ code: 1, stdout: '' });
        expect(oneLine(refused.stderr)).toMatch(
          /^Error: The database schema is not up to date \(\d+ pending migration\(s\), from CreateAppSettings\d+\): run `npm run cli -- migrate` first \(starting the API applies them too\)\.$/,
        );
        expect(await cli(database.env, 'migrate')).toMatchObject({ code: 0, stderr: '' });
      }
      expect(await create()).toMatchObject({ code: 0, stderr: '', stdout: 'Created customer "bob" (id 1).\n' });
    },
  );

  it('refuses bad input and an unknown user in one line', async () => {
    expect((await cli(database.env, 'migrate')).code).toBe(0);
    const create = () => cli(database.env, 'users', 'create', '--username', 'dave', '--password', 'pw-123456');
    expect((await create()).code).toBe(0);
    const again = await create();
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(again.stderr)).toBe('Error: username: A user with that username already exists.');

    const unknown = await cli(database.env, 'points', 'grant', '--username', 'ghost', '--points', '5');
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(unknown.stderr)).toBe('Error: No user is named "ghost".');
  });

  it('says in one line that a table is missing', async () => {
    await psql('DROP TABLE vinted_sessions');
    const result = await cli(database.env, 'vinted', 'report');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(result.stderr)).toBe(
      'Error: relation "vinted_sessions" does not exist: the database schema lacks a table its migrations create ' +
        '(`npm run cli -- migrate` applies any pending one; a table dropped by hand must be restored)',
    );
  });

  it('prints a bug in one line, and its stack only with LOG_LEVEL=debug', async () => {
    await psql('ALTER TABLE users DROP COLUMN email'); // Not a state the code expects: a bug's stand-in.
    const args = ['users', 'create', '--username', 'carol', '--password', 'pw-123456'];

    const quiet = await cli(database.env, ...args);
    expect(quiet).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(quiet.stderr)).toMatch(
      /^Error: column UserEntity\.email does not exist \(unexpected; LOG_LEVEL=debug prints its stack trace\)$/,
    );

    const debug = await cli({ ...database.env, LOG_LEVEL: 'debug' }, ...args);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\nError: column UserEntity\.email does not exist\nQueryFailedError: .*\n {4}at /);
  });
});
