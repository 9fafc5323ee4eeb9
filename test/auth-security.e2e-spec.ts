import { generateKeyPairSync } from 'node:crypto';
import { UsersService } from '@app/auth';
import { stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SignJWT } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SIGNING_KEY, claimsOf, createUser, login, startAuthApp } from './support/auth-app';
import { AuthProbeModule, accessInvalid } from './support/auth-probe';

const blacklisted = { detail: 'Token is blacklisted', code: 'token_not_valid' };

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Claims expiring at `exp`, issued a minute before it, or now if that is earlier (a later `iat` is refused). */
function accessClaims(userId: number, exp: number) {
  const iat = Math.min(exp - 60, Math.floor(Date.now() / 1000));
  return { token_type: 'access', exp, iat, jti: 'a'.repeat(32), user_id: userId, role: 'customer' };
}

describe.each(stackTargets())('JWT security on the %s stack', (target) => {
  describe('with HS256, no leeway and no grace window', () => {
    let app: NestExpressApplication;
    let close: () => Promise<void>;
    let aliceId: number;
    const http = () => request(app.getHttpServer());
    const me = (token: string) => http().get('/api/probe-auth/me').set('authorization', `Bearer ${token}`);
    const refresh = (token: string) => http().post('/api/token/refresh/').send({ refresh: token });

    beforeAll(async () => {
      ({ app, close } = await startAuthApp(target, { JWT_REFRESH_GRACE_PERIOD: '0s' }, [AuthProbeModule]));
      aliceId = (await createUser(app, 'alice')).id;
    });
    afterAll(async () => close?.());

    it('refuses alg "none"', async () => {
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(accessClaims(aliceId, Math.floor(Date.now() / 1000) + 600))}.`;
      await me(token).expect(401, accessInvalid('Token is invalid'));
    });

    it('refuses a tampered payload', async () => {
      const { access } = await login(app, 'alice');
      const [header, , signature] = access.split('.');
      await me(`${header}.${b64({ ...claimsOf(access), user_id: aliceId + 1 })}.${signature}`).expect(
        401,
        accessInvalid('Token is invalid'),
      );
    });

    it('refuses a token expired by 1 s', async () => {
      const token = await new SignJWT(accessClaims(aliceId, Math.floor(Date.now() / 1000) - 1))
        .setProtectedHeader({ alg: 'HS256' })
        .sign(Buffer.from(SIGNING_KEY));
      await me(token).expect(401, accessInvalid('Token is expired'));
    });

    it('revokes the whole family when a rotated token is reused', async () => {
      const first = await login(app, 'alice');
      const second = (await refresh(first.refresh).expect(200)).body;
      const third = (await refresh(second.refresh).expect(200)).body;
      await refresh(first.refresh).expect(401, blacklisted);
      await refresh(third.refresh).expect(401, blacklisted);
      // Other sessions of the same user are untouched.
      const other = await login(app, 'alice');
      await refresh(other.refresh).expect(200);
    });

    it('lets exactly one of two concurrent refreshes of one token win', async () => {
      const { refresh: token } = await login(app, 'alice');
      const responses = await Promise.all([refresh(token), refresh(token)]);
      expect(responses.map((response) => response.status).sort()).toEqual([200, 401]);
      const jti = claimsOf(token).jti;
      const rows = await app
        .get(DataSource)
        .query('SELECT count(*)::int AS n FROM refresh_tokens WHERE parent_jti = $1', [jti]);
      expect(rows[0].n).toBe(1);
    });

    it('stores refresh tokens hashed, never raw', async () => {
      const { refresh: token } = await login(app, 'alice');
      const rows = await app
        .get(DataSource)
        .query('SELECT * FROM refresh_tokens WHERE jti = $1', [claimsOf(token).jti]);
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('kills live access and refresh tokens at once on revoke-all, and lets the user log in again', async () => {
      const pair = await login(app, 'alice');
      await me(pair.access).expect(200);
      await http().post('/api/token/revoke-all/').set('authorization', `Bearer ${pair.access}`).expect(200);
      await me(pair.access).expect(401, accessInvalid('Token is blacklisted'));
      await refresh(pair.refresh).expect(401, blacklisted);
      const fresh = await login(app, 'alice');
      await me(fresh.access).expect(200);
    });

    it('kills live access tokens on a password change', async () => {
      const bob = await createUser(app, 'bob');
      const pair = await login(app, 'bob');
      await app.get(UsersService).changePassword(bob.id, {
        old_password: 'correct-horse',
        new_password1: 'another-password',
        new_password2: 'another-password',
      });
      await me(pair.access).expect(401, accessInvalid('Token is blacklisted'));
      await login(app, 'bob', 'another-password');
    });

    it('rejects an inactive user', async () => {
      const carol = await createUser(app, 'carol');
      const pair = await login(app, 'carol');
      await app.get(UsersService).setActive(carol.id, false);
      await me(pair.access).expect(401, { detail: 'User is inactive', code: 'user_inactive' });
      await http()
        .post('/api/token/')
        .send({ username: 'carol', password: 'correct-horse' })
        .expect(401, { detail: 'No active account found with the given credentials', code: 'no_active_account' });
      await refresh(pair.refresh).expect(401, {
        detail: 'No active account found for the given token.',
        code: 'no_active_account',
      });
    });

    it('purges expired refresh tokens', async () => {
      const { refresh: token } = await login(app, 'alice');
      await app
        .get(DataSource)
        .query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE jti = $1`, [
          claimsOf(token).jti,
        ]);
      const { TokensService } = await import('@app/auth');
      expect(await app.get(TokensService).flushExpired()).toBeGreaterThanOrEqual(1);
      const rows = await app
        .get(DataSource)
        .query('SELECT 1 FROM refresh_tokens WHERE jti = $1', [claimsOf(token).jti]);
      expect(rows).toHaveLength(0);
    });
  });

  describe('with a leeway and a grace window', () => {
    let app: NestExpressApplication;
    let close: () => Promise<void>;
    let aliceId: number;
    const http = () => request(app.getHttpServer());
    const refresh = (token: string) => http().post('/api/token/refresh/').send({ refresh: token });

    beforeAll(async () => {
      ({ app, close } = await startAuthApp(target, { JWT_LEEWAY: '5s', JWT_REFRESH_GRACE_PERIOD: '10s' }, [
        AuthProbeModule,
      ]));
      aliceId = (await createUser(app, 'alice')).id;
    });
    afterAll(async () => close?.());

    it('accepts a token expired by 1 s within the leeway', async () => {
      const token = await new SignJWT(accessClaims(aliceId, Math.floor(Date.now() / 1000) - 1))
        .setProtectedHeader({ alg: 'HS256' })
        .sign(Buffer.from(SIGNING_KEY));
      await http().get('/api/probe-auth/me').set('authorization', `Bearer ${token}`).expect(200);
    });

    it('gives a retry of a just-rotated token the same successor', async () => {
      const first = await login(app, 'alice');
      const second = (await refresh(first.refresh).expect(200)).body;
      const retry = (await refresh(first.refresh).expect(200)).body;
      expect(retry.refresh).toBe(second.refresh);
      await refresh(second.refresh).expect(200);
    });

    it('answers two concurrent refreshes with one rotation and the same successor', async () => {
      const { refresh: token } = await login(app, 'alice');
      const responses = await Promise.all([refresh(token), refresh(token)]);
      expect(responses.map((response) => response.status)).toEqual([200, 200]);
      expect(responses[0].body.refresh).toBe(responses[1].body.refresh);
      const rows = await app
        .get(DataSource)
        .query('SELECT count(*)::int AS n FROM refresh_tokens WHERE parent_jti = $1', [claimsOf(token).jti]);
      expect(rows[0].n).toBe(1);
    });
  });

  describe('with ES256 keys', () => {
    const pem = () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return {
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      };
    };
    const oldKey = pem();
    const newKey = pem();
    let app: NestExpressApplication;
    let close: () => Promise<void>;
    let aliceId: number;
    const http = () => request(app.getHttpServer());
    const me = (token: string) => http().get('/api/probe-auth/me').set('authorization', `Bearer ${token}`);

    beforeAll(async () => {
      ({ app, close } = await startAuthApp(
        target,
        {
          JWT_ALGORITHM: 'ES256',
          JWT_PRIVATE_KEY: newKey.privateKey.replace(/\n/g, '\\n'),
          JWT_VERIFYING_KEYS: oldKey.publicKey,
        },
        [AuthProbeModule],
      ));
      aliceId = (await createUser(app, 'alice')).id;
    });
    afterAll(async () => close?.());

    it('signs with a kid published in the JWKS', async () => {
      const { access } = await login(app, 'alice');
      const header = JSON.parse(Buffer.from(access.split('.')[0], 'base64url').toString());
      const { body } = await http().get('/api/.well-known/jwks.json').expect(200);
      expect(header.alg).toBe('ES256');
      expect(body.keys.map((key: { kid: string }) => key.kid)).toContain(header.kid);
      expect(body.keys).toHaveLength(2);
      expect(JSON.stringify(body)).not.toContain('"d"');
      await me(access).expect(200);
    });

    it('still accepts tokens of the previous key (rotation logs nobody out)', async () => {
      const { body } = await http().get('/api/.well-known/jwks.json').expect(200);
      const { createPrivateKey } = await import('node:crypto');
      const oldKid = body.keys[1].kid;
      const token = await new SignJWT(accessClaims(aliceId, Math.floor(Date.now() / 1000) + 600))
        .setProtectedHeader({ alg: 'ES256', kid: oldKid })
        .sign(createPrivateKey(oldKey.privateKey));
      await me(token).expect(200);
    });

    it('refuses HS256 signed with the public key as secret (algorithm confusion)', async () => {
      const { body } = await http().get('/api/.well-known/jwks.json').expect(200);
      const claims = accessClaims(aliceId, Math.floor(Date.now() / 1000) + 600);
      for (const kid of [body.keys[0].kid, undefined]) {
        const token = await new SignJWT(claims)
          .setProtectedHeader(kid ? { alg: 'HS256', kid } : { alg: 'HS256' })
          .sign(Buffer.from(newKey.publicKey));
        await me(token).expect(401, accessInvalid('Token is invalid'));
      }
    });
  });
});
