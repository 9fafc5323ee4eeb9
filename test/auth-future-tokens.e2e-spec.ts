import { createHash, randomUUID } from 'node:crypto';
import { stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SignJWT } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SIGNING_KEY, createUser, login, startAuthApp } from './support/auth-app';
import { AuthProbeModule, accessInvalid } from './support/auth-probe';

const TEN_YEARS = 10 * 365 * 86_400;
const invalid = { detail: 'Token is invalid', code: 'token_not_valid' };

/** A token signed with the API's own key (as a replica with a clock 10 years ahead would sign it). */
function signed(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(Buffer.from(SIGNING_KEY));
}

function futureClaims(type: 'access' | 'refresh', userId: number) {
  const iat = Math.floor(Date.now() / 1000) + TEN_YEARS;
  return {
    token_type: type,
    exp: iat + 7_200,
    iat,
    jti: randomUUID().replace(/-/g, ''),
    user_id: userId,
    role: 'customer',
  };
}

describe.each(stackTargets())('Tokens dated in the future on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let userId: number;
  const http = () => request(app.getHttpServer());
  const me = (token: string) => http().get('/api/probe-auth/me').set('authorization', `Bearer ${token}`);

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, {}, [AuthProbeModule]));
    userId = (await createUser(app, 'marty')).id;
  });
  afterAll(async () => close?.());

  it('refuses an access token issued 10 years ahead, which revoke-all could never reach', async () => {
    const future = await signed(futureClaims('access', userId));
    await me(future).expect(401, accessInvalid('Token is invalid'));
    await http().post('/api/token/verify/').send({ token: future }).expect(401, invalid);

    const { access } = await login(app, 'marty');
    await http().post('/api/token/revoke-all/').set('authorization', `Bearer ${access}`).expect(200);
    await me(future).expect(401, accessInvalid('Token is invalid'));
  });

  it('refuses a stored refresh token issued 10 years ahead on refresh, verify and blacklist', async () => {
    // As a database clock 10 years ahead would have stored it.
    const claims = futureClaims('refresh', userId);
    const future = await signed(claims);
    await app
      .get(DataSource)
      .query(
        'INSERT INTO refresh_tokens (jti, token_hash, family_id, parent_jti, user_id, expires_at) VALUES ($1, $2, $3, NULL, $4, $5)',
        [
          claims.jti,
          createHash('sha256').update(future).digest('hex'),
          randomUUID(),
          userId,
          new Date(claims.exp * 1000),
        ],
      );
    await http().post('/api/token/refresh/').send({ refresh: future }).expect(401, invalid);
    await http().post('/api/token/verify/').send({ token: future }).expect(401, invalid);
    await http().post('/api/token/blacklist/').send({ refresh: future }).expect(401, invalid);
  });

  it('still accepts a pair issued right after a revoke-all (dated up to the next whole second)', async () => {
    const first = await login(app, 'marty');
    await http().post('/api/token/revoke-all/').set('authorization', `Bearer ${first.access}`).expect(200);
    const fresh = await login(app, 'marty');
    await me(fresh.access).expect(200);
    await http().post('/api/token/verify/').send({ token: fresh.refresh }).expect(200, {});
    await http().post('/api/token/refresh/').send({ refresh: fresh.refresh }).expect(200);
  });
});
