import SwaggerParser from '@apidevtools/swagger-parser';
import { VintedAuthService, VintedSessionManager } from '@app/vinted';
import { FakeVintedServer, StackTarget, findVintedSession, stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { startAuthApp } from './support/auth-app';
import { captureLogs, cookieValue, databaseText, storeCookies, vintedEnv, vintedUser } from './support/vinted-app';

describe.each(stackTargets())('Vinted sessions on the %s stack', (target: StackTarget) => {
  let fake: FakeVintedServer;
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let logs: ReturnType<typeof captureLogs>;
  /** Every token the fake handed out in this spec: none may show up in the database, a body or a log. */
  const issued: string[] = [];
  const http = () => request(app.getHttpServer());

  async function session(account: string, ttl: { accessSeconds?: number; refreshSeconds?: number } = {}) {
    const cookies = await fake.issueSession(account, ttl);
    issued.push(cookieValue(cookies, 'access_token_web'), cookieValue(cookies, 'refresh_token_web'));
    return cookies;
  }

  beforeAll(async () => {
    logs = captureLogs();
    fake = await FakeVintedServer.start();
    ({ app, close } = await startAuthApp(target, vintedEnv(fake)));
  });
  afterAll(async () => {
    await close?.();
    await fake?.close();
    logs?.restore();
  });

  it('refuses bad cookie strings with 400 {detail, code} and stores nothing', async () => {
    const { bearer } = await vintedUser(app, 'bad-input');
    const good = await session('bad-input');
    const noRefresh = good.replace(/refresh_token_web=[^;]+;?/, '');
    const notJwt = good.replace(/access_token_web=[^;]+/, 'access_token_web=abc.def');
    const expiredRefresh = await session('bad-input', { refreshSeconds: -60 });
    const cases: [unknown, string][] = [
      [{ cookies: noRefresh }, 'vinted_cookies_missing_tokens'],
      [{ cookies: 'foo=bar' }, 'vinted_cookies_missing_tokens'],
      [{ cookies: notJwt }, 'vinted_token_malformed'],
      [{ cookies: expiredRefresh }, 'vinted_refresh_token_expired'],
      [{ cookies: 42 }, 'invalid'],
      [{}, 'invalid'],
    ];
    for (const [body, code] of cases) {
      const response = await http()
        .post('/api/v1/vinted/auth')
        .set('Authorization', bearer)
        .send(body as object)
        .expect(400);
      expect(response.body).toEqual(expect.objectContaining({ code, detail: expect.any(String) }));
    }
    const missing = await http().get('/api/v1/vinted/auth').set('Authorization', bearer).expect(404);
    expect(missing.body).toEqual({ detail: expect.any(String), code: 'vinted_session_not_found' });
    expect(await app.get(DataSource).query('SELECT id FROM vinted_sessions')).toEqual([]);
  });

  it('stores a session and reports its status without any token', async () => {
    const { bearer } = await vintedUser(app, 'stella');
    const created = await storeCookies(app, bearer, await session('stella')).then(
      (r) => r.body as Record<string, unknown>,
    );
    expect(created).toEqual({ status: 'active', expiresAt: expect.any(String) });
    const { body } = await http().get('/api/v1/vinted/auth').set('Authorization', bearer).expect(200);
    expect(body).toEqual(
      expect.objectContaining({
        status: 'active',
        expiresAt: created.expiresAt,
        lastRefreshedAt: null,
        lastError: null,
      }),
    );
    await http().get('/api/v1/vinted/auth').expect(401);
  });

  it('serves a fresh access token without calling Vinted', async () => {
    const { bearer } = await vintedUser(app, 'fresh');
    const cookies = await session('fresh');
    await storeCookies(app, bearer, cookies).then((r) => expect(r.status).toBe(201));
    const before = fake.refreshCalls;
    const { body, headers } = await http()
      .get('/api/v1/market-analysis/token')
      .set('Authorization', bearer)
      .expect(200);
    expect(body).toEqual({ accessToken: cookieValue(cookies, 'access_token_web'), expiresAt: expect.any(String) });
    expect(headers['cache-control']).toBe('no-store');
    expect(fake.refreshCalls).toBe(before);
  });

  it('refreshes a token about to expire through Vinted, once for concurrent requests, and stores the rotated pair', async () => {
    const { bearer } = await vintedUser(app, 'rotor');
    const cookies = await session('rotor', { accessSeconds: 60 });
    await storeCookies(app, bearer, cookies);
    fake.latencyMs = 150;
    const before = fake.refreshCalls;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => http().get('/api/v1/market-analysis/token').set('Authorization', bearer)),
    );
    fake.latencyMs = 0;
    expect(fake.refreshCalls - before).toBe(1);
    const tokens = new Set(answers.map((answer) => (answer.body as { accessToken: string }).accessToken));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(tokens.size).toBe(1);
    expect(tokens.has(cookieValue(cookies, 'access_token_web'))).toBe(false);
    issued.push(...tokens);
    const { body } = await http().get('/api/v1/vinted/auth').set('Authorization', bearer).expect(200);
    expect(body).toEqual(
      expect.objectContaining({ status: 'active', lastRefreshedAt: expect.any(String), consecutiveFailures: 0 }),
    );
    // The stored refresh token is the rotated one: only it can refresh again (the old one is spent).
    const stored = await findVintedSession(app, 'rotor');
    await expect(app.get(VintedSessionManager).refresh(stored!.id, { mode: 'wait' })).resolves.toBe('refreshed');
  });

  it('marks a session whose refresh token Vinted refuses (401) as expired', async () => {
    const { bearer } = await vintedUser(app, 'ghost');
    await storeCookies(app, bearer, await session('ghost', { accessSeconds: 30 }));
    fake.revokeAll();
    const { body } = await http().get('/api/v1/market-analysis/token').set('Authorization', bearer).expect(409);
    expect(body).toEqual(expect.objectContaining({ code: 'vinted_session_expired' }));
    await http()
      .get('/api/v1/vinted/auth')
      .set('Authorization', bearer)
      .expect(200)
      .expect((r) => expect(r.body.status).toBe('expired'));
  });

  it.each([
    ['captcha', 'HTTP 403 captcha'],
    ['rate_limited', 'HTTP 429'],
  ] as const)('backs off after a %s answer: error, not dead, and no retry storm', async (mode, reason) => {
    const { bearer } = await vintedUser(app, `blocked-${mode}`);
    await storeCookies(app, bearer, await session(`blocked-${mode}`, { accessSeconds: 30 }));
    fake.nextModes.push(mode);
    const before = fake.refreshCalls;
    const first = await http().get('/api/v1/market-analysis/token').set('Authorization', bearer).expect(503);
    expect(first.body).toEqual(
      expect.objectContaining({ code: 'vinted_blocked', retryAfterSeconds: expect.any(Number) }),
    );
    for (let i = 0; i < 5; i++) {
      await http().get('/api/v1/market-analysis/token').set('Authorization', bearer).expect(503);
    }
    expect(fake.refreshCalls - before).toBe(1);
    const { body } = await http().get('/api/v1/vinted/auth').set('Authorization', bearer).expect(200);
    expect(body).toEqual(
      expect.objectContaining({ status: 'error', consecutiveFailures: 1, nextAttemptAt: expect.any(String) }),
    );
    expect(body.lastError).toContain(reason);
    expect(Date.parse(body.nextAttemptAt as string)).toBeGreaterThan(
      Date.now() + (mode === 'rate_limited' ? 59_000 : 60_000),
    );
  });

  it('gives up after five consecutive transient failures (status error, no automatic retry)', async () => {
    const { bearer } = await vintedUser(app, 'flaky');
    await storeCookies(app, bearer, await session('flaky', { accessSeconds: 30 }));
    const dataSource = app.get(DataSource);
    fake.mode = 'server_error';
    try {
      for (let attempt = 1; attempt <= 5; attempt++) {
        const { body } = await http().get('/api/v1/market-analysis/token').set('Authorization', bearer).expect(503);
        expect(body.code).toBe(attempt < 5 ? 'vinted_unavailable' : 'vinted_refresh_failed');
        const state = await http().get('/api/v1/vinted/auth').set('Authorization', bearer);
        expect(state.body).toEqual(
          expect.objectContaining({ status: attempt < 5 ? 'active' : 'error', consecutiveFailures: attempt }),
        );
        // Skip the back-off, as if time had passed.
        await dataSource.query(
          `UPDATE vinted_sessions s SET next_attempt_at = now() FROM users u WHERE u.id = s.user_id AND u.username = 'flaky' AND next_attempt_at IS NOT NULL`,
        );
      }
    } finally {
      fake.mode = 'ok';
    }
    const before = fake.refreshCalls;
    await http()
      .get('/api/v1/market-analysis/token')
      .set('Authorization', bearer)
      .expect(503)
      .expect((r) => expect(r.body.code).toBe('vinted_refresh_failed'));
    expect(fake.refreshCalls).toBe(before);
  });

  it('classifies a timeout and a malformed Set-Cookie as transient', async () => {
    const { bearer } = await vintedUser(app, 'slowpoke');
    await storeCookies(app, bearer, await session('slowpoke', { accessSeconds: 30 }));
    app.get(VintedAuthService).timeoutMs = 300;
    fake.nextModes.push('slow');
    const slow = await http().get('/api/v1/market-analysis/token').set('Authorization', bearer).expect(503);
    expect(slow.body.detail).toContain('timeout');
    await app.get(DataSource).query(`UPDATE vinted_sessions SET next_attempt_at = now()`);
    fake.nextModes.push('malformed_set_cookie');
    const malformed = await http().get('/api/v1/market-analysis/token').set('Authorization', bearer).expect(503);
    expect(malformed.body.detail).toContain('malformed');
  });

  it('documents every Vinted route in a valid OpenAPI document, error bodies included', async () => {
    const { body } = await http().get('/api/docs-json').expect(200);
    await expect(SwaggerParser.validate(structuredClone(body))).resolves.toBeDefined();
    const paths = body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    expect(Object.keys(paths['/api/v1/vinted/auth'].post.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '503']),
    );
    expect(Object.keys(paths['/api/v1/vinted/auth'].get.responses)).toEqual(
      expect.arrayContaining(['200', '401', '404']),
    );
    expect(Object.keys(paths['/api/v1/market-analysis/token'].get.responses)).toEqual(
      expect.arrayContaining(['200', '401', '404', '409', '503']),
    );
    expect(Object.keys(paths['/api/v1/vinted/scheduler'].post.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403']),
    );
    expect(Object.keys(paths['/api/v1/vinted/scheduler'].get.responses)).toEqual(
      expect.arrayContaining(['200', '401', '403']),
    );
  });

  it('never lets a token reach the database, an API answer or a log line', async () => {
    expect(issued.length).toBeGreaterThan(10);
    const dump = await databaseText(app);
    const logText = logs.text();
    expect(logText).toContain('Token refreshed successfully for user rotor');
    for (const token of issued) {
      expect(dump).not.toContain(token);
      expect(logText).not.toContain(token);
      // A JWT's signature alone is enough to spot a leak of a shortened or re-encoded token.
      expect(dump).not.toContain(token.split('.')[2]);
    }
  });
});

describe('Vinted sessions without VINTED_CREDENTIALS_SECRET', () => {
  it('answers requires_configuration and stores nothing', async () => {
    const fake = await FakeVintedServer.start();
    const { app, close } = await startAuthApp('embedded', {
      VINTED_BASE_URL: fake.baseUrl,
      VINTED_AUTO_REFRESH_ENABLED: 'false',
    });
    try {
      const { bearer } = await vintedUser(app, 'unset');
      const stored = await storeCookies(app, bearer, await fake.issueSession('unset'));
      expect(stored.status).toBe(503);
      expect(stored.body).toEqual(
        expect.objectContaining({ code: 'requires_configuration', status: 'requires_configuration' }),
      );
      const { body } = await request(app.getHttpServer())
        .get('/api/v1/vinted/auth')
        .set('Authorization', bearer)
        .expect(200);
      expect(body.status).toBe('requires_configuration');
      await request(app.getHttpServer()).get('/api/v1/market-analysis/token').set('Authorization', bearer).expect(503);
      expect(await app.get(DataSource).query('SELECT id FROM vinted_sessions')).toEqual([]);
    } finally {
      await close();
      await fake.close();
    }
  });
});
