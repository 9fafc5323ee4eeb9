import { stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createUser, sleep, startAuthApp } from './support/auth-app';

// The app trusts `X-Forwarded-For` from loopback proxies only (`trust proxy: loopback`), and
// supertest connects from 127.0.0.1: each test speaks from its own documentation-range IPs.

const LIMIT = 3;
const USERNAME_LIMIT = 6;
const IP_LIMIT = 5;
const PASSWORD = 'correct-horse';
const NO_ACCOUNT = { detail: 'No active account found with the given credentials', code: 'no_active_account' };
const WRONG_OLD_PASSWORD = {
  old_password: ['Your old password was entered incorrectly. Please enter it again.'],
};
const throttled = (seconds: number) => ({
  detail: `Request was throttled. Expected available in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`,
  code: 'throttled',
});

/** The 429 answer: `Retry-After` in whole seconds, and the same number in DRF's sentence. */
function expectThrottled(response: request.Response, maxSeconds = 60): void {
  expect(response.status).toBe(429);
  const retryAfter = response.headers['retry-after'];
  expect(retryAfter).toMatch(/^\d+$/);
  const seconds = Number(retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(maxSeconds);
  expect(response.body).toEqual(throttled(seconds));
}

const statuses = (responses: request.Response[]) => responses.map((response) => response.status);
const count = (responses: request.Response[], status: number) => statuses(responses).filter((s) => s === status).length;

describe.each(stackTargets())('auth throttling on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let ips = 0;
  /** An IP that has not been used yet. */
  const newIp = () => `198.51.${100 + (++ips >> 8)}.${ips & 255}`;
  const post = (path: string, ip: string) => request(app.getHttpServer()).post(path).set('X-Forwarded-For', ip);
  const obtain = (ip: string, username: string, password = 'wrong-password') =>
    post('/api/token/', ip).send({ username, password });

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, {
      AUTH_THROTTLE_LIMIT: String(LIMIT),
      AUTH_THROTTLE_USERNAME_LIMIT: String(USERNAME_LIMIT),
      AUTH_THROTTLE_IP_LIMIT: String(IP_LIMIT),
      AUTH_THROTTLE_TTL: '1m',
    }));
    for (const username of ['alice', 'bob', 'carol', 'dave', 'Dave', 'erin', 'gina', 'hugo', 'ivan', 'judy']) {
      await createUser(app, username, PASSWORD);
    }
  });

  afterAll(async () => close?.());

  describe('POST /api/token/', () => {
    it('counts no successful login: 30 from one IP all answer 200', async () => {
      const ip = newIp();
      for (let i = 0; i < 30; i++) {
        await obtain(ip, 'alice', PASSWORD).expect(200);
      }
      // …and the failures that follow still have the whole limit.
      for (let i = 0; i < LIMIT; i++) {
        await obtain(ip, 'alice').expect(401, NO_ACCOUNT);
      }
      expectThrottled(await obtain(ip, 'alice', PASSWORD));
    });

    it('refuses a (username, IP) after AUTH_THROTTLE_LIMIT failures, even the right password, and only that pair', async () => {
      const ip = newIp();
      for (let i = 0; i < LIMIT; i++) {
        await obtain(ip, 'bob').expect(401, NO_ACCOUNT);
      }
      expectThrottled(await obtain(ip, 'bob'));
      expectThrottled(await obtain(ip, 'bob', PASSWORD));
      // Trimmed like the username field, case-sensitive like usernames.
      expectThrottled(await obtain(ip, '  bob '));
      await obtain(ip, 'Bob').expect(401, NO_ACCOUNT);
      // The owner from another IP, the same IP for another username: untouched.
      await obtain(newIp(), 'bob', PASSWORD).expect(200);
      await obtain(ip, 'carol', PASSWORD).expect(200);
    });

    it("forgets a client's failures once it logs in", async () => {
      const ip = newIp();
      for (let i = 0; i < LIMIT - 1; i++) {
        await obtain(ip, 'carol').expect(401);
      }
      await obtain(ip, 'carol', PASSWORD).expect(200);
      for (let i = 0; i < LIMIT; i++) {
        await obtain(ip, 'carol').expect(401);
      }
      expectThrottled(await obtain(ip, 'carol'));
    });

    it('always lets the owner log in from an IP that has not failed, while refusing the attackers', async () => {
      const owner = newIp();
      const stumbling = newIp();
      await obtain(stumbling, 'dave').expect(401);
      // An attack from many IPs, in a burst: every IP's first guess is checked (a higher limit per
      // username only slows the attack down), and the username is now under attack.
      const attackers = Array.from({ length: 3 * USERNAME_LIMIT }, () => newIp());
      const guesses = await Promise.all(attackers.map((ip) => obtain(ip, 'dave')));
      expect(statuses(guesses)).toEqual(attackers.map(() => 401));
      // A client that failed in its window is refused, whatever it sends, until its failures age out.
      expectThrottled(await obtain(attackers[0], 'dave'));
      expectThrottled(await obtain(stumbling, 'dave', PASSWORD));
      // The owner, from an IP that has not failed, logs in every time.
      for (let i = 0; i < 5; i++) {
        await obtain(owner, 'dave', PASSWORD).expect(200);
        await obtain(newIp(), 'dave', PASSWORD).expect(200);
      }
      // Another account is not under attack: `Dave` is not `dave`.
      await obtain(attackers[0], 'Dave', PASSWORD).expect(200);
      // A new attacking IP gets one guess.
      const newcomer = newIp();
      await obtain(newcomer, 'dave').expect(401);
      expectThrottled(await obtain(newcomer, 'dave'));
    });

    it('lets exactly the limit of a burst of failures through, per (username, IP) and per IP', async () => {
      const erinIp = newIp();
      const pair = await Promise.all(Array.from({ length: 4 * LIMIT }, () => obtain(erinIp, 'erin')));
      expect(count(pair, 401)).toBe(LIMIT);
      expect(count(pair, 429)).toBe(3 * LIMIT);
      pair.filter((response) => response.status === 429).forEach((response) => expectThrottled(response));

      // One IP, a different username each time (credential stuffing): AUTH_THROTTLE_IP_LIMIT failures.
      const ip = newIp();
      const stuffing = await Promise.all(Array.from({ length: 3 * IP_LIMIT }, (_, i) => obtain(ip, `nobody-${i}`)));
      expect(count(stuffing, 401)).toBe(IP_LIMIT);
      expect(count(stuffing, 429)).toBe(2 * IP_LIMIT);
      expectThrottled(await obtain(ip, 'gina', PASSWORD));
      await obtain(newIp(), 'gina', PASSWORD).expect(200);
    });

    it('does not count a request that checks no credentials', async () => {
      const ip = newIp();
      for (let i = 0; i < 2 * LIMIT; i++) {
        await post('/api/token/', ip)
          .send({ username: 'hugo' })
          .expect(400, { password: ['This field is required.'] });
        await post('/api/token/', ip)
          .send({ password: 'x' })
          .expect(400, { username: ['This field is required.'] });
      }
      await obtain(ip, 'hugo', PASSWORD).expect(200);
    });
  });

  describe('POST /api/users/password/change/', () => {
    const change = (ip: string, access: string, oldPassword: string, newPassword = 'new-correct-horse') =>
      post('/api/users/password/change/', ip)
        .set('Authorization', `Bearer ${access}`)
        .send({ old_password: oldPassword, new_password1: newPassword, new_password2: newPassword });
    const tokenOf = async (username: string) =>
      ((await obtain(newIp(), username, PASSWORD).expect(200)).body as { access: string }).access;

    it('refuses a user after AUTH_THROTTLE_LIMIT wrong current passwords, from any IP', async () => {
      const access = await tokenOf('ivan');
      for (let i = 0; i < LIMIT; i++) {
        await change(newIp(), access, 'not-my-password').expect(400, WRONG_OLD_PASSWORD);
      }
      expectThrottled(await change(newIp(), access, PASSWORD));
      // New passwords that differ are the client's typo, not a guess: not counted.
      const other = await tokenOf('judy');
      for (let i = 0; i < 2 * LIMIT; i++) {
        const mismatch = await post('/api/users/password/change/', newIp())
          .set('Authorization', `Bearer ${other}`)
          .send({ old_password: PASSWORD, new_password1: 'new-correct-horse', new_password2: 'other-horse-1' });
        expect(mismatch.status).toBe(400);
      }
      await change(newIp(), other, PASSWORD).expect(200);
    });

    it('refuses an IP after AUTH_THROTTLE_IP_LIMIT wrong current passwords across users', async () => {
      const ip = newIp();
      for (let i = 0; i < IP_LIMIT; i++) {
        await createUser(app, `changer-${i}`, PASSWORD);
        await change(ip, await tokenOf(`changer-${i}`), 'not-my-password').expect(400, WRONG_OLD_PASSWORD);
      }
      await createUser(app, 'changer-last', PASSWORD);
      const access = await tokenOf('changer-last');
      expectThrottled(await change(ip, access, PASSWORD));
      await change(newIp(), access, PASSWORD).expect(200);
    });
  });

  describe('POST /api/token/refresh/', () => {
    it('counts refused tokens per IP, not successful refreshes', async () => {
      await createUser(app, 'kate', PASSWORD);
      const ip = newIp();
      let { refresh } = (await obtain(ip, 'kate', PASSWORD).expect(200)).body as { refresh: string };
      for (let i = 0; i < 3 * LIMIT; i++) {
        ({ refresh } = (await post('/api/token/refresh/', ip).send({ refresh }).expect(200)).body as {
          refresh: string;
        });
      }
      for (let i = 0; i < LIMIT; i++) {
        await post('/api/token/refresh/', ip)
          .send({ refresh: 'garbage' })
          .expect(401, { detail: 'Token is invalid', code: 'token_not_valid' });
      }
      expectThrottled(await post('/api/token/refresh/', ip).send({ refresh }));
      await post('/api/token/refresh/', newIp()).send({ refresh }).expect(200);
    });

    it('is not limited per username, even when the body carries one', async () => {
      for (let i = 0; i < 2 * LIMIT; i++) {
        await post('/api/token/refresh/', newIp()).send({ refresh: 'garbage', username: 'alice' }).expect(401);
      }
    });
  });

  describe('POST /api/users/register/', () => {
    const register = (ip: string, username: string) =>
      post('/api/users/register/', ip).send({ username, email: `${username}@example.com`, password: PASSWORD });

    it('counts every attempt per IP, successes included', async () => {
      const ip = newIp();
      for (const username of ['reg-1', 'reg-2', 'reg-3']) {
        await register(ip, username).expect(201);
      }
      expectThrottled(await register(ip, 'reg-4'));
      await register(newIp(), 'reg-4').expect(201);
    });

    it('counts every attempt per submitted username', async () => {
      await register(newIp(), 'frank').expect(201);
      await register(newIp(), 'frank').expect(400, { username: ['A user with that username already exists.'] });
      await register(newIp(), ' frank').expect(400);
      expectThrottled(await register(newIp(), 'frank'));
    });
  });

  it('leaves every other route alone: health, verify and blacklist from a blocked IP', async () => {
    const ip = newIp();
    for (let i = 0; i < LIMIT; i++) {
      await obtain(ip, 'zoe').expect(401);
    }
    expectThrottled(await obtain(ip, 'zoe'));
    for (let i = 0; i < 10; i++) {
      await request(app.getHttpServer()).get('/api/health').set('X-Forwarded-For', ip).expect(200);
      const ready = await request(app.getHttpServer()).get('/api/health/ready').set('X-Forwarded-For', ip);
      expect(ready.status).toBe(200);
      await post('/api/token/verify/', ip).send({ token: 'garbage' }).expect(401);
      await post('/api/token/blacklist/', ip).send({ refresh: 'garbage' }).expect(401);
    }
  });

  it('documents the 429 of the four throttled credential endpoints in the OpenAPI document', async () => {
    const { body } = await request(app.getHttpServer()).get('/api/docs-json').expect(200);
    const paths = body.paths as Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    const refusals = Object.entries(paths).flatMap(([path, operations]) =>
      Object.values(operations).flatMap((operation) =>
        '429' in (operation.responses ?? {}) ? [[path.replace(/\/$/, ''), operation.responses['429'].description]] : [],
      ),
    );
    expect(refusals.map(([path]) => path).sort()).toEqual([
      '/api/token',
      '/api/token/refresh',
      '/api/users/password/change',
      '/api/users/register',
    ]);
    const obtainRefusal = refusals.find(([path]) => path === '/api/token')?.[1];
    expect(obtainRefusal).toMatch(/AUTH_THROTTLE_USERNAME_LIMIT/);
    expect(obtainRefusal).toMatch(/A successful login counts nothing/);
  });
});

describe.each(stackTargets())('auth throttling windows on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, { AUTH_THROTTLE_LIMIT: '1', AUTH_THROTTLE_TTL: '1s' }));
  });

  afterAll(async () => close?.());

  it('says "1 second" in the singular, and accepts attempts again once the block has passed', async () => {
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
