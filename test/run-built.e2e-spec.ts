import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { staleness } from '../scripts/run-built.cjs';

// `npm start`, `npm run start:worker` and `npm run cli` go through scripts/run-built.cjs.

const ROOT = resolve(__dirname, '..');
const BUILT_AT = new Date('2030-01-01T00:00:00Z');
const BEFORE = new Date(BUILT_AT.getTime() - 60_000);
const AFTER = new Date(BUILT_AT.getTime() + 1_000);

describe('when an app is rebuilt before it runs', () => {
  let root: string;
  const file = (path: string, mtime = BEFORE) => {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, '');
    utimesSync(full, mtime, mtime);
  };

  /** A checkout whose every file predates a complete build of the CLI. */
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hg-run-built-'));
    for (const path of [
      'tsconfig.json',
      'nest-cli.json',
      'package-lock.json',
      'apps/cli/tsconfig.app.json',
      'apps/cli/src/main.ts',
      'apps/api/src/main.ts',
      'libs/ledger/src/index.ts',
      'libs/ledger/src/ledger.service.spec.ts',
      'libs/ledger/test/ledger-races.int-spec.ts',
      'libs/testing/src/index.ts',
      'libs/messaging/src/testing/test-bus.ts',
      'libs/client/README.md',
      'dist/apps/cli/apps/cli/src/main.js',
    ]) {
      file(path);
    }
    file('dist/apps/cli/.built-from-sources', BUILT_AT);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is not when nothing it is compiled from changed since its last build started', () => {
    expect(staleness(root, 'cli')).toBeUndefined();
  });

  it('is when dist/ has no build of it', () => {
    rmSync(join(root, 'dist'), { recursive: true });
    expect(staleness(root, 'cli')).toBe('dist/ has no build of it yet');
  });

  it('is when its output has no stamp (built by hand, or a build that failed)', () => {
    rmSync(join(root, 'dist/apps/cli/.built-from-sources'));
    expect(staleness(root, 'cli')).toBe('no record of the sources it was built from');
  });

  it.each([
    'apps/cli/src/main.ts',
    'apps/cli/tsconfig.app.json',
    'libs/ledger/src/index.ts',
    'libs/ledger/src/tokens/new-file.ts',
    'tsconfig.json',
    'nest-cli.json',
    'package-lock.json',
  ])('is when %s changed since', (path) => {
    file(path, AFTER);
    expect(staleness(root, 'cli')).toBe(`${path} changed since the last build`);
  });

  it('is when a source was written in the very millisecond the build started', () => {
    file('libs/ledger/src/index.ts', BUILT_AT);
    expect(staleness(root, 'cli')).toBe('libs/ledger/src/index.ts changed since the last build');
  });

  it.each([
    ['another app', 'apps/api/src/main.ts'],
    ['a unit spec', 'libs/ledger/src/ledger.service.spec.ts'],
    ['an integration spec', 'libs/ledger/test/ledger-races.int-spec.ts'],
    ['the test helpers lib', 'libs/testing/src/index.ts'],
    ["a lib's test doubles", 'libs/messaging/src/testing/test-bus.ts'],
    ['prose', 'libs/client/README.md'],
  ])('is not when only %s changed (%s): it is not compiled into the app', (_what, path) => {
    file(path, AFTER);
    expect(staleness(root, 'cli')).toBeUndefined();
  });
});

describe('npm run cli through the launcher', () => {
  /** `npm run cli -- …` without npm: the launcher runs the built CLI in its own process. */
  const cli = (env: Record<string, string>, args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      // Not in the checkout, whose .env (a developer's settings) the CLI would read.
      const child = spawn(process.execPath, [join(ROOT, 'scripts/run-built.cjs'), 'cli', ...args], {
        cwd: dataDir,
        env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (code) => done({ code, stdout, stderr }));
    });

  let dataDir: string;
  let unreachable: Record<string, string>;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hg-cli-'));
    // A port nothing listens on: a command that connected would fail (exit 1, an error on stderr).
    const server = createServer();
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
    const { port } = server.address() as AddressInfo;
    await new Promise((closed) => server.close(closed));
    unreachable = { DATA_DIR: dataDir, DATABASE_URL: `postgres://hourglass@127.0.0.1:${port}/hourglass` };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the help, named as the README runs it, without a reachable database', async () => {
    const result = await cli(unreachable, ['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: npm run cli -- \[options\] \[command\]\n/);
    expect(result.stdout).toMatch(/\n {2}ledger {2,}Inspect the points ledger\n/);
  });

  it("prints a command's help, and refuses unknown commands and bad usage, without a database", async () => {
    const help = await cli(unreachable, ['ledger', 'verify', '--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: npm run cli -- ledger verify \[options\]\n/);

    const unknown = await cli(unreachable, ['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);

    const missingOption = await cli(unreachable, ['users', 'create']);
    expect(missingOption.code).toBe(1);
    expect(missingOption.stderr).toMatch(/required option '--username <username>' not specified/);

    const group = await cli(unreachable, ['ledger']);
    expect(group).toMatchObject({
      code: 1,
      stderr: "error: 'ledger' needs a subcommand: verify (see `npm run cli -- ledger --help`)\n",
    });
  });

  it('connects once a command runs, and exits with its status', async () => {
    const migrate = await cli({ DATA_DIR: dataDir }, ['migrate', '--json']);
    expect(migrate).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(migrate.stdout)).toMatchObject({ applied: expect.arrayContaining([expect.any(String)]) });

    const verify = await cli({ DATA_DIR: dataDir }, ['ledger', 'verify']);
    expect(verify).toMatchObject({ code: 0, stdout: 'Ledger consistent: 0 account(s) checked, no drift.\n' });
  });
});
