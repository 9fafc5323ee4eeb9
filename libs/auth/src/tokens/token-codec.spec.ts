import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { ConfigModule, loadConfig } from '@app/config';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import { JwtKeyRingModule } from './jwt-key-ring.module';
import { JWT_MODULE_OPTIONS_FROM_CONFIG } from './jwt-module-options';
import { TokenClaims, newClaims } from './token-claims';
import { TokenCodec } from './token-codec';

const SECRET = 'unit-test-signing-key-0123456789-0123456789';

/** A TokenCodec wired as AuthModule wires it, from these JWT_* variables. */
async function codecWith(env: Record<string, string> = {}): Promise<{ codec: TokenCodec; jwt: JwtService }> {
  const { config } = loadConfig({ JWT_SIGNING_KEY: SECRET, ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), JwtKeyRingModule, JwtModule.registerAsync(JWT_MODULE_OPTIONS_FROM_CONFIG)],
    providers: [TokenCodec],
  }).compile();
  return { codec: moduleRef.get(TokenCodec), jwt: moduleRef.get(JwtService) };
}

function keyPair(type: 'ec' | 'ed25519') {
  const { privateKey, publicKey } =
    type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const claims = (type: 'access' | 'refresh' = 'access', issuedAt = nowSeconds(), lifetimeMs = 600_000) =>
  newClaims(type, { id: 7, role: 'vendor' }, issuedAt, lifetimeMs);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as object;

/** An HS256 token over any payload (even a non-object one), signed by hand. */
function hs256(payload: unknown, secret = SECRET): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe(TokenCodec.name, () => {
  describe('with HS256', () => {
    let codec: TokenCodec;
    let jwt: JwtService;
    beforeAll(async () => ({ codec, jwt } = await codecWith()));

    it('round-trips a token through JwtService with the header {alg, typ} and the simplejwt claims', async () => {
      const issued = claims();
      const token = await codec.sign(issued);
      expect(headerOf(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(jwt.verify(token)).toEqual(issued);
      await expect(codec.decode(token, 'access')).resolves.toEqual(issued);
    });

    it('writes the very bytes jose wrote, and each library verifies the other one’s tokens', async () => {
      const issued = claims('refresh');
      const ours = await codec.sign(issued);
      const jose = await new SignJWT({ ...issued })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(Buffer.from(SECRET));
      expect(ours).toBe(jose);
      const fromJose = await new SignJWT({ ...claims() })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(Buffer.from(SECRET));
      await expect(codec.decode(fromJose, 'access')).resolves.toMatchObject({ token_type: 'access' });
      await expect(jwtVerify(ours, Buffer.from(SECRET), { algorithms: ['HS256'] })).resolves.toBeDefined();
    });

    it('says "Token has wrong type" for a refresh token where an access token is expected', async () => {
      const token = await codec.sign(claims('refresh'));
      await expect(codec.decode(token, 'access')).rejects.toMatchObject({ problem: 'Token has wrong type' });
      await expect(codec.decode(token)).resolves.toMatchObject({ token_type: 'refresh' });
    });

    it('says "Token is expired" for a correctly signed token past its exp', async () => {
      const token = await codec.sign(claims('access', nowSeconds() - 120, 60_000));
      await expect(codec.decode(token, 'access')).rejects.toMatchObject({ problem: 'Token is expired' });
    });

    it('says "Token is invalid", not expired, for an expired token with a wrong signature', async () => {
      const token = hs256(claims('access', nowSeconds() - 120, 60_000), `${SECRET}-other`);
      await expect(codec.decode(token, 'access')).rejects.toMatchObject({ problem: 'Token is invalid' });
    });

    it('refuses alg "none", a tampered payload, a non-object payload and garbage as invalid', async () => {
      const issued = claims();
      const token = await codec.sign(issued);
      const [header, , signature] = token.split('.');
      const refused = [
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64(issued)}.`,
        `${header}.${b64({ ...issued, user_id: 8 })}.${signature}`,
        hs256('a string payload'),
        hs256(null),
        hs256({ ...issued, role: 'root' }),
        'not.a.token',
        '',
      ];
      for (const candidate of refused) {
        await expect(codec.decode(candidate, 'access')).rejects.toMatchObject({ problem: 'Token is invalid' });
      }
    });

    it('answers "Token is expired" for a cached token once it has expired', async () => {
      const token = await codec.sign(claims('access', nowSeconds(), 2_000));
      await codec.decode(token, 'access');
      const now = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 5_000);
      try {
        await expect(codec.decode(token, 'access')).rejects.toMatchObject({ problem: 'Token is expired' });
      } finally {
        now.mockRestore();
      }
    });

    it('gives expiredClaims only for a correctly signed, expired token of the expected type', async () => {
      const expired = claims('access', nowSeconds() - 120, 60_000);
      const token = await codec.sign(expired);
      await expect(codec.expiredClaims(token, 'access')).resolves.toEqual(expired);
      await expect(codec.expiredClaims(token, 'refresh')).resolves.toBeUndefined();
      await expect(codec.expiredClaims(await codec.sign(claims()), 'access')).resolves.toBeUndefined();
      await expect(codec.expiredClaims(hs256(expired, `${SECRET}-other`), 'access')).resolves.toBeUndefined();
      await expect(codec.expiredClaims('garbage', 'access')).resolves.toBeUndefined();
    });

    it('refuses as invalid a correctly signed token dated in the future (iat), of either type', async () => {
      const tenYears = 10 * 365 * 86_400;
      for (const type of ['access', 'refresh'] as const) {
        const token = await codec.sign(claims(type, nowSeconds() + tenYears));
        await expect(codec.decode(token, type)).rejects.toMatchObject({ problem: 'Token is invalid' });
        await expect(codec.decode(token)).rejects.toMatchObject({ problem: 'Token is invalid' });
      }
      // Not even past its exp, as the refresh middleware would take it.
      const ahead = await codec.sign(claims('access', nowSeconds() + 3_600, 1_000));
      const later = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 10_000);
      try {
        await expect(codec.expiredClaims(ahead, 'access')).resolves.toBeUndefined();
      } finally {
        later.mockRestore();
      }
    });

    it('accepts a token dated one second ahead: an issue right after a revocation rounds up to the next second', async () => {
      const token = await codec.sign(claims('access', nowSeconds() + 1));
      await expect(codec.decode(token, 'access')).resolves.toMatchObject({ token_type: 'access' });
      const tooFar = await codec.sign(claims('access', nowSeconds() + 3));
      await expect(codec.decode(tooFar, 'access')).rejects.toMatchObject({ problem: 'Token is invalid' });
    });

    it('refuses as invalid a token not valid before (nbf) a time in the future', async () => {
      const token = hs256({ ...claims(), nbf: nowSeconds() + 3_600 });
      await expect(codec.decode(token, 'access')).rejects.toMatchObject({ problem: 'Token is invalid' });
    });

    it('publishes no key in the JWKS', () => {
      expect(codec.jwks()).toEqual({ keys: [] });
    });
  });

  it('tolerates JWT_LEEWAY past exp, in decode and in expiredClaims', async () => {
    const { codec } = await codecWith({ JWT_LEEWAY: '30s' });
    const token = await codec.sign(claims('access', nowSeconds() - 70, 60_000));
    await expect(codec.decode(token, 'access')).resolves.toMatchObject({ token_type: 'access' });
    await expect(codec.expiredClaims(token, 'access')).resolves.toBeUndefined();
  });

  it('tolerates JWT_LEEWAY on a token dated in the future, and no more', async () => {
    const { codec } = await codecWith({ JWT_LEEWAY: '30s' });
    const within = await codec.sign(claims('access', nowSeconds() + 25));
    await expect(codec.decode(within, 'access')).resolves.toMatchObject({ token_type: 'access' });
    const beyond = await codec.sign(claims('access', nowSeconds() + 40));
    await expect(codec.decode(beyond, 'access')).rejects.toMatchObject({ problem: 'Token is invalid' });
  });

  describe('with ES256 and a previous key', () => {
    const current = keyPair('ec');
    const previous = keyPair('ec');
    let codec: TokenCodec;
    let kids: string[];
    beforeAll(async () => {
      ({ codec } = await codecWith({
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEY: current.privatePem.replace(/\n/g, '\\n'),
        JWT_VERIFYING_KEYS: previous.publicPem,
      }));
      kids = codec.jwks().keys.map((key) => key.kid ?? '');
    });

    it('round-trips a token through JwtService with the current kid, which jose verifies too', async () => {
      const issued = claims();
      const token = await codec.sign(issued);
      expect(headerOf(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: kids[0] });
      await expect(codec.decode(token, 'access')).resolves.toEqual(issued);
      const { payload } = await jwtVerify(token, createPublicKey(current.publicPem), { algorithms: ['ES256'] });
      expect(payload).toEqual(issued);
    });

    it('accepts a token jose signed with the previous key, found by its kid', async () => {
      const token = await new SignJWT({ ...claims() })
        .setProtectedHeader({ alg: 'ES256', kid: kids[1] })
        .sign(createPrivateKey(previous.privatePem));
      await expect(codec.decode(token, 'access')).resolves.toMatchObject({ user_id: 7 });
    });

    it('refuses a token without a kid, with an unknown kid, or under another key’s kid', async () => {
      const sign = (kid?: string) =>
        new SignJWT({ ...claims() })
          .setProtectedHeader(kid === undefined ? { alg: 'ES256' } : { alg: 'ES256', kid })
          .sign(createPrivateKey(previous.privatePem));
      for (const token of [await sign(), await sign('unknown'), await sign(kids[0])]) {
        await expect(codec.decode(token, 'access')).rejects.toMatchObject({ problem: 'Token is invalid' });
      }
    });

    it('refuses HS256 signed with the public key as secret (algorithm confusion) and alg "none"', async () => {
      const issued = claims();
      const confused = [
        await new SignJWT({ ...issued })
          .setProtectedHeader({ alg: 'HS256', kid: kids[0] })
          .sign(Buffer.from(current.publicPem)),
        await new SignJWT({ ...issued }).setProtectedHeader({ alg: 'HS256' }).sign(Buffer.from(current.publicPem)),
        `${b64({ alg: 'none', kid: kids[0] })}.${b64(issued)}.`,
      ];
      for (const token of confused) {
        await expect(codec.decode(token, 'access')).rejects.toMatchObject({ problem: 'Token is invalid' });
      }
    });
  });

  describe('with EdDSA and a previous ES256 key', () => {
    const current = keyPair('ed25519');
    const previous = keyPair('ec');
    let codec: TokenCodec;
    beforeAll(async () => {
      ({ codec } = await codecWith({
        JWT_ALGORITHM: 'EdDSA',
        JWT_PRIVATE_KEY: current.privatePem,
        JWT_VERIFYING_KEYS: previous.publicPem,
      }));
    });

    it('round-trips a token through jose with the header {alg, typ, kid}', async () => {
      const issued: TokenClaims = claims('refresh');
      const token = await codec.sign(issued);
      const kid = codec.jwks().keys[0].kid;
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', typ: 'JWT', kid });
      await expect(codec.decode(token, 'refresh')).resolves.toEqual(issued);
      await expect(codec.decode(token, 'access')).rejects.toMatchObject({ problem: 'Token has wrong type' });
    });

    it('says expired or invalid as with the other algorithms', async () => {
      const expired = await codec.sign(claims('access', nowSeconds() - 120, 60_000));
      await expect(codec.decode(expired, 'access')).rejects.toMatchObject({ problem: 'Token is expired' });
      await expect(codec.expiredClaims(expired, 'access')).resolves.toMatchObject({ token_type: 'access' });
      const [header, payload] = expired.split('.');
      const forged = `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
      await expect(codec.decode(forged, 'access')).rejects.toMatchObject({ problem: 'Token is invalid' });
      await expect(codec.expiredClaims(forged, 'access')).resolves.toBeUndefined();
    });

    it('refuses a token dated in the future (iat) or not yet valid (nbf), as with the other algorithms', async () => {
      const future = await codec.sign(claims('refresh', nowSeconds() + 10 * 365 * 86_400));
      await expect(codec.decode(future, 'refresh')).rejects.toMatchObject({ problem: 'Token is invalid' });
      const notYet = await new SignJWT({ ...claims(), nbf: nowSeconds() + 3_600 })
        .setProtectedHeader({ alg: 'EdDSA', kid: codec.jwks().keys[0].kid })
        .sign(createPrivateKey(current.privatePem));
      await expect(codec.decode(notYet, 'access')).rejects.toMatchObject({ problem: 'Token is invalid' });
    });

    it('still verifies tokens of the previous ES256 key (through JwtService)', async () => {
      const kid = codec.jwks().keys[1].kid;
      const token = await new SignJWT({ ...claims() })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
        .sign(createPrivateKey(previous.privatePem));
      await expect(codec.decode(token, 'access')).resolves.toMatchObject({ user_id: 7 });
    });
  });
});
