import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '@app/config';
import { DatabaseNotifications } from '@app/database';
import { stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SignJWT } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApiApp } from '../apps/api/src/create-api-app';
import {
  SIGNING_KEY,
  TEST_AUTH_THROTTLE_LIMIT,
  claimsOf,
  createUser,
  login,
  sleep,
  startAuthApp,
} from './support/auth-app';
import { AuthProbeModule, accessInvalid } from './support/auth-probe';

const me = (app: NestExpressApplication, token: string) =>
  request(app.getHttpServer()).get('/api/probe-auth/me').set('authorization', `Bearer ${token}`);

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) {
      return true;
    }
    await sleep(20);
  }
  return check();
}

describe.each(stackTargets())('Revocation despite the authentication caches on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, {}, [AuthProbeModule]));
  });
  afterAll(async () => close?.());

  it("changes a password with dj-rest-auth's body, kills every old token and hands out a new pair", async () => {
    await createUser(app, 'dora');
    const old = await login(app, 'dora');
    await me(app, old.access).expect(200);
    const change = (body: object) =>
      http().post('/api/users/password/change/').set('authorization', `Bearer ${old.access}`).send(body);

    await change({
      old_password: 'wrong-password',
      new_password1: 'new-password-1',
      new_password2: 'new-password-1',
    }).expect(400, {
      old_password: ['Your old password was entered incorrectly. Please enter it again.'],
    });
    await change({
      old_password: 'correct-horse',
      new_password1: 'new-password-1',
      new_password2: 'new-password-2',
    }).expect(400, {
      new_password2: ['The two password fields didn\u2019t match.'],
    });
    await change({ old_password: 'correct-horse', new_password1: 'short', new_password2: 'short' }).expect(400, {
      new_password2: ['This password is too short. It must contain at least 8 characters.'],
    });
    await change({ old_password: 'correct-horse' }).expect(400, {
      new_password1: ['This field is required.'],
      new_password2: ['This field is required.'],
    });
    await me(app, old.access).expect(200); // Nothing changed by the refused attempts.

    const { body } = await change({
      old_password: 'correct-horse',
      new_password1: 'new-password-1',
      new_password2: 'new-password-1',
    }).expect(200);
    expect(body.detail).toBe('New password has been saved.');
    await me(app, old.access).expect(401, accessInvalid('Token is blacklisted'));
    await http()
      .post('/api/token/verify/')
      .send({ token: old.access })
      .expect(400, { non_field_errors: ['Token is blacklisted'] });
    await http()
      .post('/api/token/refresh/')
      .send({ refresh: old.refresh })
      .expect(401, { detail: 'Token is blacklisted', code: 'token_not_valid' });
    await me(app, body.access as string).expect(200);
    await http().post('/api/token/refresh/').send({ refresh: body.refresh }).expect(200);
    await http().post('/api/token/').send({ username: 'dora', password: 'correct-horse' }).expect(401);
    await login(app, 'dora', 'new-password-1');
  });

  it('refuses a token that expired after it was verified once (the verified-token cache re-checks exp)', async () => {
    const { id } = await createUser(app, 'eve');
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await new SignJWT({
      token_type: 'access',
      exp,
      iat: exp - 60,
      jti: 'e'.repeat(32),
      user_id: id,
      role: 'customer',
    })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(Buffer.from(SIGNING_KEY));
    await me(app, token).expect(200);
    await sleep(exp * 1000 - Date.now() + 50);
    await me(app, token).expect(401, accessInvalid('Token is expired'));
  });

  it('refuses a cached user as soon as the account is deactivated', async () => {
    const frank = await createUser(app, 'frank');
    const { access } = await login(app, 'frank');
    await me(app, access).expect(200);
    const { UsersService } = await import('@app/auth');
    await app.get(UsersService).setActive(frank.id, false);
    await me(app, access).expect(401, { detail: 'User is inactive', code: 'user_inactive' });
  });
});

describe('Revocation across two API replicas on the servers stack', () => {
  if (!stackTargets().includes('servers')) {
    it.skip('needs TEST_DATABASE_URL', () => undefined);
    return;
  }
  let first: NestExpressApplication;
  let second: NestExpressApplication;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const started = await startAuthApp('servers', {}, [AuthProbeModule]);
    first = started.app;
    const env = { JWT_SIGNING_KEY: SIGNING_KEY, AUTH_THROTTLE_LIMIT: TEST_AUTH_THROTTLE_LIMIT, ...started.stack.env };
    second = await createApiApp(loadConfig(env).config, [AuthProbeModule]);
    close = async () => {
      await second.close();
      await started.close();
    };
  });
  afterAll(async () => close?.());

  it('refuses on the other replica, within moments, an access token revoked on one', async () => {
    await createUser(first, 'gina');
    const pair = await login(first, 'gina');
    await me(second, pair.access).expect(200); // The first authentication opens the replica's LISTEN connection…
    expect(await eventually(() => second.get(DatabaseNotifications).isLive(), 10_000)).toBe(true);
    await me(second, pair.access).expect(200); // …and now the user is cached there.
    const verify = () => request(second.getHttpServer()).post('/api/token/verify/').send({ token: pair.access });
    await verify().expect(200, {}); // The verify view reads the same cache.
    await request(first.getHttpServer())
      .post('/api/token/revoke-all/')
      .set('authorization', `Bearer ${pair.access}`)
      .expect(200);
    const refused = await eventually(async () => (await verify()).status === 400, 1_000);
    expect(refused).toBe(true);
    await verify().expect(400, { non_field_errors: ['Token is blacklisted'] });
    await me(second, pair.access).expect(401);
  });

  it('bypasses the user cache while its LISTEN connection is down, and resumes once it is back', async () => {
    await createUser(first, 'hugo');
    const { access } = await login(first, 'hugo');
    await me(second, access).expect(200);
    const notifications = second.get(DatabaseNotifications);
    const database = second.get(DataSource);
    await database.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hourglass-listen' AND datname = current_database()`,
    );
    expect(await eventually(() => !notifications.isLive(), 5_000)).toBe(true);
    // A change made while the second replica cannot hear it is still seen there at once.
    await database.query(`UPDATE users SET is_active = false WHERE id = $1`, [claimsOf(access).user_id]);
    await me(second, access).expect(401, { detail: 'User is inactive', code: 'user_inactive' });
    await database.query(`UPDATE users SET is_active = true WHERE id = $1`, [claimsOf(access).user_id]);
    expect(await eventually(() => notifications.isLive(), 15_000)).toBe(true);
    await me(second, access).expect(200);
  });
});

describe.each(stackTargets())('EdDSA signing on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    ({ app, close } = await startAuthApp(
      target,
      { JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY: pem.replace(/\n/g, '\\n') },
      [AuthProbeModule],
    ));
    await createUser(app, 'ivy');
  });
  afterAll(async () => close?.());

  it('signs Ed25519 tokens with a kid from the JWKS and accepts them', async () => {
    const { access, refresh } = await login(app, 'ivy');
    const header = JSON.parse(Buffer.from(access.split('.')[0], 'base64url').toString()) as {
      alg: string;
      kid: string;
    };
    expect(header.alg).toBe('EdDSA');
    const { body } = await request(app.getHttpServer()).get('/api/.well-known/jwks.json').expect(200);
    expect(body.keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: header.kid })]);
    await me(app, access).expect(200);
    await request(app.getHttpServer()).post('/api/token/refresh/').send({ refresh }).expect(200);
    const [head, payload] = access.split('.');
    await me(app, `${head}.${payload}.${Buffer.alloc(64).toString('base64url')}`).expect(
      401,
      accessInvalid('Token is invalid'),
    );
  });
});
