import { stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { claimsOf, createUser, login, sleep, startAuthApp } from './support/auth-app';
import { AuthProbeModule, accessInvalid } from './support/auth-probe';

const CHALLENGE = 'Bearer realm="api"';
const invalid = (detail: string) => ({ detail, code: 'token_not_valid' });

describe.each(stackTargets())('simplejwt compatibility on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, { JWT_ACCESS_TOKEN_LIFETIME: '3s', JWT_REFRESH_GRACE_PERIOD: '0s' }, [
      AuthProbeModule,
    ]));
    await createUser(app, 'alice');
    await createUser(app, 'root', 'correct-horse', 'admin');
  });

  afterAll(async () => close?.());

  describe('POST /api/token/', () => {
    it('answers 200 {access, refresh} with simplejwt claims', async () => {
      const { body } = await http()
        .post('/api/token/')
        .send({ username: 'alice', password: 'correct-horse' })
        .expect(200);
      expect(Object.keys(body).sort()).toEqual(['access', 'refresh']);
      const claims = claimsOf(body.access);
      expect(claims).toEqual({
        token_type: 'access',
        exp: expect.any(Number),
        iat: expect.any(Number),
        jti: expect.stringMatching(/^[0-9a-f]{32}$/),
        user_id: expect.any(Number),
        role: 'customer',
      });
      expect(claimsOf(body.refresh).token_type).toBe('refresh');
    });

    it('serves the path without its trailing slash too', async () => {
      await http().post('/api/token').send({ username: 'alice', password: 'correct-horse' }).expect(200);
    });

    it.each([
      ['a wrong password', { username: 'alice', password: 'wrong-password' }],
      ['an unknown user', { username: 'nobody', password: 'correct-horse' }],
      ['a username in another case', { username: 'Alice', password: 'correct-horse' }],
    ])('answers %s with 401 and the exact body', async (_case, credentials) => {
      const response = await http().post('/api/token/').send(credentials).expect(401);
      expect(response.body).toEqual({
        detail: 'No active account found with the given credentials',
        code: 'no_active_account',
      });
      expect(response.headers['www-authenticate']).toBe(CHALLENGE);
    });

    it('names each missing field', async () => {
      await http()
        .post('/api/token/')
        .send({ username: 'alice' })
        .expect(400, { password: ['This field is required.'] });
      await http()
        .post('/api/token/')
        .send({})
        .expect(400, { username: ['This field is required.'], password: ['This field is required.'] });
      // A null character reached PostgreSQL and answered 500 before the field check refused it.
      await http()
        .post('/api/token/')
        .send({ username: 'a\u0000b', password: 'x' })
        .expect(400, { username: ['Null characters are not allowed.'] });
      await http()
        .post('/api/users/register/')
        .send({ username: 'a\u0000b', email: 'a@b.co', password: 'long-enough-1' })
        .expect(400);
    });

    it('answers malformed JSON with 400 and the DRF parse error', async () => {
      const { body } = await http()
        .post('/api/token/')
        .set('content-type', 'application/json')
        .send('{"username": ')
        .expect(400);
      expect(body.detail).toMatch(/^JSON parse error - /);
    });

    it('answers a wrong method with 405', async () => {
      const { body } = await http().get('/api/token/').expect(405);
      expect(body.detail).toBe('Method "GET" not allowed.');
    });
  });

  describe('POST /api/token/refresh/', () => {
    it('rotates: a new pair, and the old refresh token is blacklisted', async () => {
      const pair = await login(app, 'alice');
      const { body } = await http().post('/api/token/refresh/').send({ refresh: pair.refresh }).expect(200);
      expect(Object.keys(body).sort()).toEqual(['access', 'refresh']);
      expect(body.refresh).not.toBe(pair.refresh);
      await http()
        .post('/api/token/refresh/')
        .send({ refresh: pair.refresh })
        .expect(401, invalid('Token is blacklisted'));
    });

    it('answers garbage, an access token and a missing field exactly', async () => {
      const pair = await login(app, 'alice');
      await http().post('/api/token/refresh/').send({ refresh: 'garbage' }).expect(401, invalid('Token is invalid'));
      await http()
        .post('/api/token/refresh/')
        .send({ refresh: pair.access })
        .expect(401, invalid('Token has wrong type'));
      await http()
        .post('/api/token/refresh/')
        .send({})
        .expect(400, { refresh: ['This field is required.'] });
    });
  });

  describe('POST /api/token/verify/', () => {
    it('answers {} for a valid token and 401 for garbage or a tampered one', async () => {
      const pair = await login(app, 'alice');
      await http().post('/api/token/verify/').send({ token: pair.access }).expect(200, {});
      await http().post('/api/token/verify/').send({ token: pair.refresh }).expect(200, {});
      await http().post('/api/token/verify/').send({ token: 'garbage' }).expect(401, invalid('Token is invalid'));
      const [header, , signature] = pair.access.split('.');
      const forged = Buffer.from(JSON.stringify({ ...claimsOf(pair.access), role: 'admin' })).toString('base64url');
      await http()
        .post('/api/token/verify/')
        .send({ token: `${header}.${forged}.${signature}` })
        .expect(401, invalid('Token is invalid'));
      await http()
        .post('/api/token/verify/')
        .send({})
        .expect(400, { token: ['This field is required.'] });
    });

    it('answers 400 non_field_errors for a rotated refresh token', async () => {
      const pair = await login(app, 'alice');
      await http().post('/api/token/refresh/').send({ refresh: pair.refresh }).expect(200);
      await http()
        .post('/api/token/verify/')
        .send({ token: pair.refresh })
        .expect(400, { non_field_errors: ['Token is blacklisted'] });
    });

    it('answers an expired token with 401 Token is expired', async () => {
      const pair = await login(app, 'alice');
      await sleep(3100); // past the 3 s lifetime (long enough that a loaded machine does not expire the other tests' tokens)
      await http().post('/api/token/verify/').send({ token: pair.access }).expect(401, invalid('Token is expired'));
      await http()
        .get('/api/probe-auth/me')
        .set('authorization', `Bearer ${pair.access}`)
        .expect(401, accessInvalid('Token is expired'));
    });
  });

  describe('POST /api/token/blacklist/', () => {
    it('logs out: 200 {}, then the token is blacklisted everywhere', async () => {
      const pair = await login(app, 'alice');
      await http().post('/api/token/blacklist/').send({ refresh: pair.refresh }).expect(200, {});
      await http()
        .post('/api/token/blacklist/')
        .send({ refresh: pair.refresh })
        .expect(401, invalid('Token is blacklisted'));
      await http()
        .post('/api/token/refresh/')
        .send({ refresh: pair.refresh })
        .expect(401, invalid('Token is blacklisted'));
      await http()
        .post('/api/token/verify/')
        .send({ token: pair.refresh })
        .expect(400, { non_field_errors: ['Token is blacklisted'] });
      await http().post('/api/token/blacklist/').send({ refresh: 'garbage' }).expect(401, invalid('Token is invalid'));
      await http()
        .post('/api/token/blacklist/')
        .send({})
        .expect(400, { refresh: ['This field is required.'] });
    });
  });

  describe('a protected endpoint', () => {
    it('serves a valid access token and sets req.user', async () => {
      const pair = await login(app, 'alice');
      const { body } = await http().get('/api/probe-auth/me').set('authorization', `Bearer ${pair.access}`).expect(200);
      expect(body).toEqual({ id: expect.any(Number), username: 'alice', role: 'customer' });
    });

    it.each([
      ['no header', undefined],
      ['another scheme', 'Basic YWxpY2U6eA=='],
      ['an empty header', ''],
    ])('answers %s with 401 "credentials were not provided" and the challenge', async (_case, header) => {
      const call = http().get('/api/probe-auth/me');
      const response = await (header === undefined ? call : call.set('authorization', header)).expect(401);
      expect(response.body).toEqual({
        detail: 'Authentication credentials were not provided.',
        code: 'not_authenticated',
      });
      expect(response.headers['www-authenticate']).toBe(CHALLENGE);
    });

    it('answers garbage and a refresh token with the exact body', async () => {
      const pair = await login(app, 'alice');
      await http()
        .get('/api/probe-auth/me')
        .set('authorization', 'Bearer garbage')
        .expect(401, accessInvalid('Token is invalid'));
      await http()
        .get('/api/probe-auth/me')
        .set('authorization', `Bearer ${pair.refresh}`)
        .expect(401, accessInvalid('Token has wrong type'));
    });

    it('answers a wrong role with 403 and the right role with 200', async () => {
      const customer = await login(app, 'alice');
      await http()
        .get('/api/probe-auth/admin')
        .set('authorization', `Bearer ${customer.access}`)
        .expect(403, { detail: 'You do not have permission to perform this action.', code: 'permission_denied' });
      const admin = await login(app, 'root');
      await http()
        .get('/api/probe-auth/admin')
        .set('authorization', `Bearer ${admin.access}`)
        .expect(200, { ok: true });
    });
  });

  describe('POST /api/users/register/', () => {
    it('creates a customer, then refuses the same username with a field error', async () => {
      const { body } = await http()
        .post('/api/users/register/')
        .send({ username: 'carol', email: 'carol@example.com', password: 'long-enough' })
        .expect(201);
      expect(body).toEqual({ id: expect.any(Number), username: 'carol', email: 'carol@example.com', role: 'customer' });
      await http()
        .post('/api/users/register/')
        .send({ username: 'carol', email: 'c2@example.com', password: 'long-enough' })
        .expect(400, { username: ['A user with that username already exists.'] });
      await login(app, 'carol', 'long-enough');
    });

    it('validates the email, the password length and the required fields', async () => {
      await http()
        .post('/api/users/register/')
        .send({ username: 'dave', email: 'not-an-email', password: 'short' })
        .expect(400, {
          email: ['Enter a valid email address.'],
          password: ['This password is too short. It must contain at least 8 characters.'],
        });
      await http()
        .post('/api/users/register/')
        .send({ username: 'dave' })
        .expect(400, { email: ['This field is required.'], password: ['This field is required.'] });
    });
  });

  it('publishes an empty JWKS with HS256', async () => {
    await http().get('/api/.well-known/jwks.json').expect(200, { keys: [] });
  });
});
