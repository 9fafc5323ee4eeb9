import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApp } from '@app/testing';

/**
 * Every app reads `.env` in its working directory, and a variable set in the environment wins
 * over the file. Each app is started, compiled, in a directory holding a `.env`.
 */
describe('a .env file in the working directory', () => {
  let cwd: string;
  beforeEach(() => (cwd = mkdtempSync(join(tmpdir(), 'hg-dotenv-'))));
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const dotEnv = (lines: string[]) => writeFileSync(join(cwd, '.env'), `${lines.join('\n')}\n`);

  it('configures the CLI, under the environment', async () => {
    dotEnv([
      '# what a developer keeps out of their shell',
      'DATA_DIR=./from-dotenv',
      'VINTED_BASE_URL=http://vinted.from-dotenv.test',
      'VINTED_AUTO_REFRESH_ENABLED=false',
    ]);
    const result = await runApp('cli', { VINTED_AUTO_REFRESH_ENABLED: 'true' }, ['vinted', 'verify', '--json'], {
      cwd,
    });
    const { checks } = JSON.parse(result.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    expect(checks[0]).toEqual({
      name: 'configuration',
      ok: true,
      detail: 'VINTED_BASE_URL=http://vinted.from-dotenv.test, auto refresh enabled',
    });
    // The embedded database was made where .env's DATA_DIR says, relative to the working directory.
    expect(checks.find((check) => check.name === 'database')).toMatchObject({ ok: true });
    expect(existsSync(join(cwd, 'from-dotenv', 'pgdata'))).toBe(true);
  });

  // Both refuse to start whether or not they read .env (the api: ADMIN_PASSWORD missing; the
  // worker: no AMQP_URL), so without .env the test fails at once instead of running a server.
  it.each([
    [
      'api',
      { ADMIN_USERNAME: 'admin' },
      ['ADMIN_PASSWORD=correct-horse-battery', 'EXCHANGE_TOKEN_TTL=soon'],
      'EXCHANGE_TOKEN_TTL="soon"',
    ],
    ['worker', {}, ['WHATSAPP_QR_TIMEOUT=later'], 'WHATSAPP_QR_TIMEOUT="later"'],
  ] as const)('configures the %s: a bad value in it stops the start in one line', async (app, env, lines, bad) => {
    dotEnv([...lines]);
    const result = await runApp(app, { DATA_DIR: join(cwd, 'data'), ...env }, [], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr.startsWith(`Invalid configuration: ${bad} `)).toBe(true);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });
});
