import { stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createUser, sleep, startAuthApp } from './support/auth-app';

// The app trusts `X-Forwarded-For` from loopback proxies only (`trust proxy: loopback`), and
// supertest connects from 127.0.0.1: each test speaks from its own documentation-range IPs.

const NO_ACCOUNT = { detail: 'No active account found with the given credentials', code: 'no_active_account' };
const throttled = (seconds: number) => ({
  detail: `Request was throttled. Expected available in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`,
  code: 'throttled',
});

/** The 429 answer: `Retry-After` in whole seconds, and the same number in DRF's sentence. */
function expectThrottled(response: request.Response, maxSeconds: number): void {
  expect(response.status).toBe(429);
  const retryAfter = response.headers['retry-after'];
  expect(retryAfter).toMatch(/^\d+$/);
  const seconds = Number(retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(maxSeconds);
  expect(response.body).toEqual(throttled(seconds));
}

describe.each(stackTargets())('auth throttling on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  const post = (path: string, ip: string) => request(app.getHttpServer()).post(path).set('X-Forwarded-For', ip);
  const obtain = (ip: string, username: string, password = 'wrong-password') =>
    post('/api/token/', ip).send({ username, password });

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, { AUTH_THROTTLE_LIMIT: '3', AUTH_THROTTLE_TTL: '1m' }));
    for (const username of ['alice', 'bob', 'carol', 'dave', 'erin', 'Dave']) {
      await createUser(app, username);
    }
  });

  afterAll(async () => close?.());

  describe('POST /api/token/', () => {
    it("answers the 4th attempt from one IP with 429, Retry-After and DRF's body, even with the right password", async () => {
      for (let attempt = 1; attempt <= 3; attempt++) {
        await obtain('203.0.113.1', 'alice').expect(401, NO_ACCOUNT);
      }
      expectThrottled(await obtain('203.0.113.1', 'alice'), 60);
      expectThrottled(await obtain('203.0.113.1', 'alice', 'correct-horse'), 60);
    });

    it('limits another username from the same IP by the IP limit, and only that IP', async () => {
      for (let attempt = 1; attempt <= 3; attempt++) {
        await obtain('203.0.113.2', 'bob').expect(401);
      }
      expectThrottled(await obtain('203.0.113.2', 'carol', 'correct-horse'), 60);
      await obtain('203.0.113.3', 'carol', 'correct-horse').expect(200);
    });

    it('limits one username attacked from many IPs, trimmed but case-sensitive', async () => {
      for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
        await obtain(ip, 'dave').expect(401);
      }
      expectThrottled(await obtain('198.51.100.4', 'dave', 'correct-horse'), 60);
      expectThrottled(await obtain('198.51.100.5', '  dave '), 60);
      // Usernames are case-sensitive: `Dave` is another account with its own counter.
      await obtain('198.51.100.5', 'Dave', 'correct-horse').expect(200);
      // The IPs that tried `dave` are not blocked for other usernames.
      await obtain('198.51.100.4', 'erin', 'correct-horse').expect(200);
    });

    it('does not count a request without a username against any username', async () => {
      for (const ip of ['198.51.100.21', '198.51.100.22', '198.51.100.23', '198.51.100.24']) {
        await post('/api/token/', ip)
          .send({ password: 'x' })
          .expect(400, { username: ['This field is required.'] });
      }
    });
  });

  describe('POST /api/token/refresh/', () => {
    it('is limited per IP', async () => {
      for (let attempt = 1; attempt <= 3; attempt++) {
        await post('/api/token/refresh/', '203.0.113.10')
          .send({ refresh: 'garbage' })
          .expect(401, { detail: 'Token is invalid', code: 'token_not_valid' });
      }
      expectThrottled(await post('/api/token/refresh/', '203.0.113.10').send({ refresh: 'garbage' }), 60);
      await post('/api/token/refresh/', '203.0.113.11').send({ refresh: 'garbage' }).expect(401);
    });

    it('is not limited per username, even when the body carries one', async () => {
      for (const ip of ['198.51.100.31', '198.51.100.32', '198.51.100.33', '198.51.100.34', '198.51.100.35']) {
        await post('/api/token/refresh/', ip).send({ refresh: 'garbage', username: 'alice' }).expect(401);
      }
    });
  });

  describe('POST /api/users/register/', () => {
    const register = (ip: string, username: string) =>
      post('/api/users/register/', ip).send({ username, email: `${username}@example.com`, password: 'correct-horse' });

    it('is limited per IP', async () => {
      for (const username of ['reg-1', 'reg-2', 'reg-3']) {
        await register('203.0.113.20', username).expect(201);
      }
      expectThrottled(await register('203.0.113.20', 'reg-4'), 60);
      await register('203.0.113.21', 'reg-4').expect(201);
    });

    it('is limited per submitted username', async () => {
      await register('198.51.100.41', 'frank').expect(201);
      await register('198.51.100.42', 'frank').expect(400, { username: ['A user with that username already exists.'] });
      await register('198.51.100.43', ' frank').expect(400);
      expectThrottled(await register('198.51.100.44', 'frank'), 60);
    });
  });

  it('leaves every other route alone: health, verify and blacklist from a blocked IP', async () => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      await obtain('203.0.113.30', 'zoe').expect(401);
    }
    expectThrottled(await obtain('203.0.113.30', 'zoe'), 60);
    for (let attempt = 1; attempt <= 10; attempt++) {
      await request(app.getHttpServer()).get('/api/health').set('X-Forwarded-For', '203.0.113.30').expect(200);
      const ready = await request(app.getHttpServer()).get('/api/health/ready').set('X-Forwarded-For', '203.0.113.30');
      expect(ready.status).toBe(200);
      await post('/api/token/verify/', '203.0.113.30').send({ token: 'garbage' }).expect(401);
      await post('/api/token/blacklist/', '203.0.113.30').send({ refresh: 'garbage' }).expect(401);
    }
  });

  it('documents the 429 of the four throttled credential endpoints in the OpenAPI document', async () => {
    const { body } = await request(app.getHttpServer()).get('/api/docs-json').expect(200);
    const paths = body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    const throttledRoutes = Object.entries(paths)
      .filter(([, operations]) => Object.values(operations).some((operation) => '429' in (operation.responses ?? {})))
      .map(([path]) => path.replace(/\/$/, ''))
      .sort();
    expect(throttledRoutes).toEqual([
      '/api/token',
      '/api/token/refresh',
      '/api/users/password/change',
      '/api/users/register',
    ]);
  });
});

describe.each(stackTargets())('auth throttling windows on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, { AUTH_THROTTLE_LIMIT: '1', AUTH_THROTTLE_TTL: '1s' }));
  });

  afterAll(async () => close?.());

  it('says "1 second" in the singular, and accepts attempts again once the window has passed', async () => {
    // A garbage refresh token is refused without a database round trip: both hits fall in one window.
    const refresh = () =>
      request(app.getHttpServer())
        .post('/api/token/refresh/')
        .set('X-Forwarded-For', '192.0.2.1')
        .send({ refresh: 'garbage' });
    await refresh().expect(401);
    const refused = await refresh();
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toEqual(throttled(1));
    await sleep(1_200);
    await refresh().expect(401, { detail: 'Token is invalid', code: 'token_not_valid' });
  });
});
