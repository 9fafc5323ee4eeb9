import {
  DatabaseTarget,
  FakeVintedServer,
  TestDatabase,
  createDatabaseTestApp,
  createTestDatabase,
  databaseTargets,
  runApp,
} from '@app/testing';
import { TokenRefreshScheduler, VintedModule } from '@app/vinted';
import { cookieValue } from './support/vinted-app';

const OLD_SECRET = 'vinted-cli-old-secret-0123456789-0123456789';
const NEW_SECRET = 'vinted-cli-new-secret-0123456789-0123456789';

/** The compiled CLI, as `npm run cli` runs it (`npm test` builds it first). */
function cli(env: Record<string, string>, args: string[]) {
  return runApp('cli', { LOG_LEVEL: 'error', ...env }, args);
}

const lastLine = (text: string) => text.trim().split('\n').pop();

describe.each(databaseTargets())('cli vinted on %s', (target: DatabaseTarget) => {
  let database: TestDatabase;
  let fake: FakeVintedServer;
  let cookies: string;
  const env = (secrets: Record<string, string> = { VINTED_CREDENTIALS_SECRET: OLD_SECRET }) => ({
    ...database.env,
    JWT_SIGNING_KEY: 'cli-test-signing-key-0123456789-0123456789',
    VINTED_BASE_URL: fake.baseUrl,
    ...secrets,
  });

  beforeAll(async () => {
    fake = await FakeVintedServer.start();
    database = await createTestDatabase(target);
    expect((await cli(env(), ['migrate'])).code).toBe(0);
    expect(
      (await cli(env(), ['users', 'create', '--username', 'root', '--password', 'correct-horse', '--role', 'admin']))
        .code,
    ).toBe(0);
    cookies = await fake.issueSession('root', { accessSeconds: 60 });
  }, 120_000);
  afterAll(async () => {
    await database?.cleanup();
    await fake?.close();
  });

  it('refuses a cookie string without the tokens with exit 1 and one line on stderr', async () => {
    const result = await cli(env(), ['vinted', 'init-session', '--cookies', 'anon_id=1']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Error: The cookie string must contain access_token_web and refresh_token_web; missing: access_token_web, refresh_token_web.',
    );
  });

  it('refuses to store anything without VINTED_CREDENTIALS_SECRET', async () => {
    const result = await cli(env({}), ['vinted', 'init-session', '--cookies', cookies]);
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toBe(
      'Error: Vinted sessions need VINTED_CREDENTIALS_SECRET to be configured on the server.',
    );
  });

  it('stores the admin session, shows it without tokens, refreshes it and reports', async () => {
    const stored = await cli(env(), ['vinted', 'init-session', '--cookies', cookies]);
    expect(stored).toMatchObject({ code: 0 });
    expect(stored.stdout).toMatch(/^Session stored for the admin: active, access token expires /);

    const diagnostic = await cli(env(), ['vinted', 'diagnostic']);
    expect(diagnostic.code).toBe(0);
    expect(diagnostic.stdout).toContain('Session of root: active');
    expect(diagnostic.stdout).toContain(
      'cookies: anon_id, v_udt, access_token_web, refresh_token_web, _vinted_fr_session, datadome',
    );
    expect(diagnostic.stdout).not.toContain(cookieValue(cookies, 'access_token_web'));
    expect(diagnostic.stdout).not.toContain(cookieValue(cookies, 'refresh_token_web'));

    const before = fake.refreshCalls;
    const refreshed = await cli(env(), ['vinted', 'test-refresh']);
    expect(refreshed).toMatchObject({ code: 0 });
    expect(refreshed.stdout).toContain('Refresh: refreshed');
    expect(fake.refreshCalls - before).toBe(1);

    const report = await cli(env(), ['vinted', 'report']);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/active\s+1/);
    expect(report.stdout).toMatch(/root\s+active/);
    expect(report.stdout).toContain('Scheduler: stopped, every 30 min');
  });

  it('verifies the set-up line by line and fails while the scheduler is stopped', async () => {
    const result = await cli(env(), ['vinted', 'verify']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('[ok]   secret: VINTED_CREDENTIALS_SECRET is set');
    expect(result.stdout).toContain('[ok]   database: reachable, 1 Vinted session(s) stored');
    expect(result.stdout).toContain('[FAIL] scheduler: stopped');
    expect(lastLine(result.stderr)).toBe('Error: 1 of 5 Vinted check(s) failed');
  });

  it('prints report, verify and diagnostic as one JSON object with --json, never a token', async () => {
    const report = await cli(env(), ['vinted', 'report', '--json']);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toEqual({
      statuses: { active: 1, expired: 0, error: 0, requires_configuration: 0 },
      sessions: [
        {
          username: 'root',
          status: 'active',
          accessExpiresAt: expect.any(String),
          lastRefreshedAt: expect.any(String),
          consecutiveFailures: 0,
          lastError: null,
        },
      ],
      scheduler: expect.objectContaining({ isActive: false, intervalMinutes: 30 }),
    });

    const verify = await cli(env(), ['vinted', 'verify', '--json']);
    expect(verify.code).toBe(1);
    const verified = JSON.parse(verify.stdout) as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(verified.ok).toBe(false);
    expect(verified.checks.map(({ name, ok }) => [name, ok])).toEqual([
      ['configuration', true],
      ['secret', true],
      ['database', true],
      ['sessions', true],
      ['scheduler', false],
    ]);
    expect(lastLine(verify.stderr)).toBe('Error: 1 of 5 Vinted check(s) failed');

    const diagnostic = await cli(env(), ['vinted', 'diagnostic', '--json']);
    expect(diagnostic.code).toBe(0);
    expect(JSON.parse(diagnostic.stdout)).toEqual({
      sessions: [
        expect.objectContaining({
          username: 'root',
          status: 'active',
          readable: true,
          problem: null,
          cookieNames: ['anon_id', 'v_udt', 'access_token_web', 'refresh_token_web', '_vinted_fr_session', 'datadome'],
        }),
      ],
    });
    expect(diagnostic.stdout).not.toContain(cookieValue(cookies, 'access_token_web'));
    expect(diagnostic.stdout).not.toContain(cookieValue(cookies, 'refresh_token_web'));
  });

  it('says that VINTED_CREDENTIALS_SECRET is unset, not that the key is another one', async () => {
    const result = await cli(env({}), ['vinted', 'diagnostic']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /\n {2}key: k1-\w+ \(NOT readable: VINTED_CREDENTIALS_SECRET is not set, so no stored session can be decrypted\)\n/,
    );
    expect(result.stdout).not.toContain('a key this server does not have');
    expect(result.stderr).toBe('Error: 1 session(s) cannot be decrypted: VINTED_CREDENTIALS_SECRET is not set\n');
  });

  it('reports a blocked refresh with exit 1', async () => {
    fake.nextModes.push('captcha');
    const result = await cli(env(), ['vinted', 'test-refresh', '--username', 'root']);
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toBe('Error: refresh failed (blocked: HTTP 403 captcha challenge (anti-bot))');
  });

  it('re-encrypts every session after a secret rotation', async () => {
    const unreadable = await cli(env({ VINTED_CREDENTIALS_SECRET: NEW_SECRET }), ['vinted', 'diagnostic']);
    expect(unreadable.code).toBe(1);
    expect(lastLine(unreadable.stderr)).toBe('Error: 1 session(s) cannot be decrypted with the configured secret');

    const rotated = await cli(
      env({ VINTED_CREDENTIALS_SECRET: NEW_SECRET, VINTED_CREDENTIALS_SECRET_PREVIOUS: OLD_SECRET }),
      ['vinted', 'rotate-secret'],
    );
    expect(rotated).toMatchObject({ code: 0 });
    expect(rotated.stdout).toContain('Re-encrypted 1 session(s); 0 already used the current key');

    const readable = await cli(env({ VINTED_CREDENTIALS_SECRET: NEW_SECRET }), ['vinted', 'diagnostic']);
    expect(readable.code).toBe(0);
    expect(readable.stdout).toContain('(decrypted)');
    const old = await cli(env({ VINTED_CREDENTIALS_SECRET: OLD_SECRET }), ['vinted', 'diagnostic']);
    expect(old.code).toBe(1);
  });

  it("verifies with the interval the scheduler uses, the database's, not the configured one", async () => {
    // What `POST /api/v1/vinted/scheduler {"action":"restart","intervalMinutes":15}` does.
    const app = await createDatabaseTestApp({ env: env(), imports: [VintedModule] });
    try {
      await app.get(TokenRefreshScheduler).control('restart', 15);
    } finally {
      await app.close();
    }
    const result = await cli(env({ VINTED_CREDENTIALS_SECRET: NEW_SECRET }), ['vinted', 'verify']);
    expect(result.stdout).not.toContain('30 min');
    expect(result.stdout).toMatch(
      /^\[ok\] {3}scheduler: active, every 15 min, next run .+; the interval set in the database, not VINTED_TOKEN_REFRESH_INTERVAL_MINUTES=30$/m,
    );
    const json = await cli(env({ VINTED_CREDENTIALS_SECRET: NEW_SECRET }), ['vinted', 'verify', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ scheduler: { isActive: true, intervalMinutes: 15 } });
  });
});
