import { AuthenticatedUser } from '@app/auth';
import { stackTargets } from '@app/testing';
import { Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { claimsOf, createUser, login, sleep, startAuthApp } from './support/auth-app';
import { Authenticated, CurrentUser } from '../apps/api/src/auth/guard';

@Controller('api/probe-refresh')
class RefreshProbeController {
  @Get('me')
  @Authenticated()
  me(@CurrentUser() user: AuthenticatedUser) {
    return user;
  }

  @Post('me')
  @Authenticated()
  @HttpCode(200)
  change(@CurrentUser() user: AuthenticatedUser) {
    return { changed: user.username };
  }
}

@Module({ controllers: [RefreshProbeController] })
class RefreshProbeModule {}

const ACCESS_LIFETIME_WAIT = 1300; // JWT_ACCESS_TOKEN_LIFETIME=1s, `iat` floored to the second

/**
 * Lets the access token of a login expire, then waits for the start of a wall-clock second: a
 * token the middleware rotates next lives until the next second boundary (`iat` floored, 1 s
 * lifetime), so rotating early in a second leaves the follow-up request most of that second
 * even on a loaded machine.
 */
async function letAccessExpire(): Promise<void> {
  await sleep(ACCESS_LIFETIME_WAIT);
  const intoSecond = Date.now() % 1000;
  if (intoSecond > 50) {
    await sleep(1000 - intoSecond + 10);
  }
}
const THROTTLE_OFF = { AUTH_THROTTLE_LIMIT: '100000' };
const invalid = (detail: string) => ({ detail, code: 'token_not_valid' });
const expiredAccess = {
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is expired' }],
};
const invalidAccess = { ...expiredAccess, messages: [{ ...expiredAccess.messages[0], message: 'Token is invalid' }] };
const CSRF_FAILED = { detail: 'CSRF Failed: CSRF token missing.', code: 'csrf_failed' };

/** `name=value` and attributes of each Set-Cookie header, by cookie name. */
function setCookies(response: request.Response): Record<string, { value: string; attributes: string[] }> {
  const raw = response.headers['set-cookie'] as unknown;
  const lines = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  const cookies: Record<string, { value: string; attributes: string[] }> = {};
  for (const line of lines) {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    cookies[pair.slice(0, eq)] = { value: decodeURIComponent(pair.slice(eq + 1)), attributes };
  }
  return cookies;
}

describe.each(stackTargets())('refresh middleware and cookie mode on the %s stack', (target) => {
  describe('JWT_REFRESH_MIDDLEWARE=true, JWT_AUTH_COOKIE=true', () => {
    let app: NestExpressApplication;
    let close: () => Promise<void>;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      ({ app, close } = await startAuthApp(
        target,
        {
          JWT_ACCESS_TOKEN_LIFETIME: '1s',
          JWT_REFRESH_GRACE_PERIOD: '0s',
          JWT_REFRESH_MIDDLEWARE: 'true',
          JWT_AUTH_COOKIE: 'true',
          ...THROTTLE_OFF,
        },
        [RefreshProbeModule],
      ));
      await createUser(app, 'alice');
      await createUser(app, 'bob');
    });

    afterAll(async () => close?.());

    /** Logs in and returns the pair with the CSRF token of the cookie-mode answer. */
    async function loginWithCookies(username: string) {
      const response = await http().post('/api/token/').send({ username, password: 'correct-horse' }).expect(200);
      const cookies = setCookies(response);
      return { ...(response.body as { access: string; refresh: string }), cookies, csrf: cookies.hourglass_csrf.value };
    }

    describe('the middleware, X-Refresh-Token', () => {
      it('serves an expired access token with a valid refresh token and answers the rotated pair in headers', async () => {
        const pair = await login(app, 'alice');
        await letAccessExpire();
        const response = await http()
          .get('/api/probe-refresh/me')
          .set('authorization', `Bearer ${pair.access}`)
          .set('x-refresh-token', pair.refresh)
          .expect(200);
        expect(response.body).toEqual({ id: expect.any(Number), username: 'alice', role: 'customer' });
        const access = response.headers['x-access-token'];
        const refresh = response.headers['x-refresh-token'];
        expect(claimsOf(access)).toMatchObject({ token_type: 'access', user_id: claimsOf(pair.access).user_id });
        expect(claimsOf(refresh).token_type).toBe('refresh');
        expect(refresh).not.toBe(pair.refresh);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.headers['set-cookie']).toBeUndefined(); // the refresh came from the header

        await http().get('/api/probe-refresh/me').set('authorization', `Bearer ${access}`).expect(200);
        // The old refresh token was rotated: presenting it again is reuse, which revokes the family.
        await http()
          .post('/api/token/refresh/')
          .send({ refresh: pair.refresh })
          .expect(401, invalid('Token is blacklisted'));
        await http().post('/api/token/refresh/').send({ refresh }).expect(401, invalid('Token is blacklisted'));
      });

      it('leaves a valid access token alone', async () => {
        // With a 1 s lifetime and `iat` floored to the second, a pair issued late in a second
        // is valid for a few ms only: sign in just after a second starts, so it has ~1 s left.
        await sleep(1000 - (Date.now() % 1000) + 20);
        const pair = await login(app, 'alice');
        const response = await http()
          .get('/api/probe-refresh/me')
          .set('authorization', `Bearer ${pair.access}`)
          .set('x-refresh-token', pair.refresh)
          .expect(200);
        expect(response.headers['x-access-token']).toBeUndefined();
        await http().post('/api/token/refresh/').send({ refresh: pair.refresh }).expect(200);
      });

      it('answers the original 401 when the refresh fails: rotated, garbage, another user, an access token', async () => {
        const pair = await login(app, 'alice');
        const bob = await login(app, 'bob');
        const spent = await login(app, 'alice');
        await http().post('/api/token/refresh/').send({ refresh: spent.refresh }).expect(200);
        await letAccessExpire();
        for (const refresh of ['garbage', bob.refresh, pair.access]) {
          const response = await http()
            .get('/api/probe-refresh/me')
            .set('authorization', `Bearer ${pair.access}`)
            .set('x-refresh-token', refresh)
            .expect(401, expiredAccess);
          expect(response.headers['x-access-token']).toBeUndefined();
        }
        await http()
          .get('/api/probe-refresh/me')
          .set('authorization', `Bearer ${spent.access}`)
          .set('x-refresh-token', spent.refresh)
          .expect(401, expiredAccess);
        // bob's token was not touched by the refused attempt
        await http().post('/api/token/refresh/').send({ refresh: bob.refresh }).expect(200);
      });

      it('never refreshes for a tampered access token', async () => {
        const pair = await login(app, 'alice');
        await letAccessExpire();
        const [header, , signature] = pair.access.split('.');
        const forged = Buffer.from(JSON.stringify({ ...claimsOf(pair.access), role: 'admin' })).toString('base64url');
        const response = await http()
          .get('/api/probe-refresh/me')
          .set('authorization', `Bearer ${header}.${forged}.${signature}`)
          .set('x-refresh-token', pair.refresh)
          .expect(401, invalidAccess);
        expect(response.headers['x-access-token']).toBeUndefined();
        // The refresh token was not rotated.
        await http().post('/api/token/refresh/').send({ refresh: pair.refresh }).expect(200);
      });
    });

    describe('cookie mode', () => {
      it('obtain sets an httpOnly, Secure, SameSite=Strict refresh cookie and a readable CSRF cookie; the body is unchanged', async () => {
        const { access, refresh, cookies } = await loginWithCookies('alice');
        expect(claimsOf(access).token_type).toBe('access');
        expect(cookies.hourglass_refresh.value).toBe(refresh);
        expect(cookies.hourglass_refresh.attributes).toEqual(
          expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/api/', 'Max-Age=604800']),
        );
        expect(cookies.hourglass_csrf.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(cookies.hourglass_csrf.attributes).toEqual(
          expect.arrayContaining(['Secure', 'SameSite=Strict', 'Path=/']),
        );
        expect(cookies.hourglass_csrf.attributes).not.toContain('HttpOnly');
      });

      it('refresh reads the cookie with the CSRF header and rotates the cookie', async () => {
        const { refresh, csrf } = await loginWithCookies('alice');
        const response = await http()
          .post('/api/token/refresh/')
          .set('cookie', `hourglass_refresh=${refresh}; hourglass_csrf=${csrf}`)
          .set('x-csrf-token', csrf)
          .expect(200);
        const cookies = setCookies(response);
        expect(cookies.hourglass_refresh.value).toBe(response.body.refresh);
        expect(cookies.hourglass_refresh.value).not.toBe(refresh);
        expect(cookies.hourglass_refresh.attributes).toEqual(
          expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict']),
        );
        expect(cookies.hourglass_csrf.value).toBe(csrf);
        await http().post('/api/token/refresh/').send({ refresh }).expect(401, invalid('Token is blacklisted'));
      });

      it('refuses the cookie without the CSRF header, or with another value, with 403', async () => {
        const { refresh, csrf } = await loginWithCookies('alice');
        const cookie = `hourglass_refresh=${refresh}; hourglass_csrf=${csrf}`;
        await http().post('/api/token/refresh/').set('cookie', cookie).expect(403, CSRF_FAILED);
        await http()
          .post('/api/token/refresh/')
          .set('cookie', cookie)
          .set('x-csrf-token', `${csrf.slice(0, -1)}x`)
          .expect(403, CSRF_FAILED);
        await http()
          .post('/api/token/refresh/')
          .set('cookie', `hourglass_refresh=${refresh}`)
          .set('x-csrf-token', csrf)
          .expect(403, CSRF_FAILED);
        await http().post('/api/token/blacklist/').set('cookie', cookie).expect(403, CSRF_FAILED);
        // A token in the body does not rely on the cookie: simplejwt's contract as is.
        await http().post('/api/token/refresh/').set('cookie', cookie).send({ refresh }).expect(200);
      });

      it('blacklist reads the cookie and clears both cookies', async () => {
        const { refresh, csrf } = await loginWithCookies('alice');
        const response = await http()
          .post('/api/token/blacklist/')
          .set('cookie', `hourglass_refresh=${refresh}; hourglass_csrf=${csrf}`)
          .set('x-csrf-token', csrf)
          .expect(200, {});
        const cookies = setCookies(response);
        expect(cookies.hourglass_refresh.value).toBe('');
        expect(cookies.hourglass_refresh.attributes).toEqual(
          expect.arrayContaining(['Path=/api/', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT']),
        );
        expect(cookies.hourglass_csrf.value).toBe('');
        await http().post('/api/token/refresh/').send({ refresh }).expect(401, invalid('Token is blacklisted'));
      });

      it('the middleware refreshes from the cookie (unsafe methods only with the CSRF header) and rotates the cookie', async () => {
        const { access, refresh, csrf } = await loginWithCookies('alice');
        await letAccessExpire();
        const cookie = `hourglass_refresh=${refresh}; hourglass_csrf=${csrf}`;
        await http()
          .post('/api/probe-refresh/me')
          .set('authorization', `Bearer ${access}`)
          .set('cookie', cookie)
          .expect(401, expiredAccess);
        const response = await http()
          .post('/api/probe-refresh/me')
          .set('authorization', `Bearer ${access}`)
          .set('cookie', cookie)
          .set('x-csrf-token', csrf)
          .expect(200, { changed: 'alice' });
        expect(claimsOf(response.headers['x-access-token']).token_type).toBe('access');
        expect(response.headers['x-refresh-token']).toBeUndefined();
        const rotated = setCookies(response).hourglass_refresh.value;
        expect(claimsOf(rotated).token_type).toBe('refresh');
        expect(rotated).not.toBe(refresh);

        const get = await http()
          .get('/api/probe-refresh/me')
          .set('authorization', `Bearer ${access}`)
          .set('cookie', `hourglass_refresh=${rotated}`)
          .expect(200);
        expect(setCookies(get).hourglass_refresh.value).not.toBe(rotated);
      });
    });
  });

  describe('the OpenAPI document', () => {
    let app: NestExpressApplication;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ app, close } = await startAuthApp(target, THROTTLE_OFF));
    });

    afterAll(async () => close?.());

    it('documents the cookies, the CSRF header and the middleware headers', async () => {
      const { body } = await request(app.getHttpServer()).get('/api/docs-json').expect(200);
      const document = body as {
        paths: Record<
          string,
          {
            post?: {
              parameters?: { name: string }[];
              responses: Record<string, { headers?: Record<string, unknown> }>;
            };
          }
        >;
        components: { securitySchemes: Record<string, { in?: string; name?: string }> };
      };
      const operation = (path: string) =>
        Object.entries(document.paths).find(([key]) => key.replace(/\/$/, '') === path)?.[1].post;
      for (const path of ['/api/token', '/api/token/refresh', '/api/token/blacklist']) {
        expect(operation(path)?.responses['200'].headers).toHaveProperty('Set-Cookie');
      }
      for (const path of ['/api/token/refresh', '/api/token/blacklist']) {
        expect(operation(path)?.parameters?.map((parameter) => parameter.name)).toContain('X-CSRF-Token');
        expect(operation(path)?.responses).toHaveProperty('403');
      }
      expect(document.components.securitySchemes.refreshMiddleware).toMatchObject({
        in: 'header',
        name: 'X-Refresh-Token',
      });
      expect(document.components.securitySchemes.hourglass_refresh).toMatchObject({
        in: 'cookie',
        name: 'hourglass_refresh',
      });
    });
  });

  describe('both options off (the defaults)', () => {
    let app: NestExpressApplication;
    let close: () => Promise<void>;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      ({ app, close } = await startAuthApp(target, { JWT_ACCESS_TOKEN_LIFETIME: '1s', ...THROTTLE_OFF }, [
        RefreshProbeModule,
      ]));
      await createUser(app, 'alice');
    });

    afterAll(async () => close?.());

    it('answers an expired access token with 401 even with X-Refresh-Token, and sets no cookie', async () => {
      const response = await http()
        .post('/api/token/')
        .send({ username: 'alice', password: 'correct-horse' })
        .expect(200);
      expect(response.headers['set-cookie']).toBeUndefined();
      const pair = response.body as { access: string; refresh: string };
      await letAccessExpire();
      const refused = await http()
        .get('/api/probe-refresh/me')
        .set('authorization', `Bearer ${pair.access}`)
        .set('x-refresh-token', pair.refresh)
        .expect(401, expiredAccess);
      expect(refused.headers['x-access-token']).toBeUndefined();
      await http()
        .post('/api/token/refresh/')
        .set('cookie', `hourglass_refresh=${pair.refresh}`)
        .send({})
        .expect(400, { refresh: ['This field is required.'] });
      await http().post('/api/token/refresh/').send({ refresh: pair.refresh }).expect(200);
    });
  });
});
