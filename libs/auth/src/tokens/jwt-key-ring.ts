import { KeyObject, createPrivateKey, createPublicKey, createSecretKey } from 'node:crypto';
import { AppError } from '@app/common';
import { AppConfig } from '@app/config';
// jose stays for key import: @nestjs/jwt (jsonwebtoken) neither exports JWKs nor computes
// RFC 7638 thumbprints, which are the published JWKS and the `kid` of every asymmetric key.
import { JWK, calculateJwkThumbprint, exportJWK } from 'jose';

export type JwtAlgorithm = 'HS256' | 'ES256' | 'EdDSA';

export interface JwtKey {
  alg: JwtAlgorithm;
  /** RFC 7638 thumbprint of the public key; absent for HS256 (one shared secret). */
  kid?: string;
  key: KeyObject;
  /** The public JWK published in the JWKS (asymmetric keys only). */
  jwk?: JWK;
}

export class JwtKeyError extends AppError {
  constructor(message: string) {
    super('jwt_key_invalid', message, 500);
  }
}

const PUBLIC_PEM = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;

/**
 * The keys that sign and verify JWTs. Each verifying key is pinned to one algorithm, chosen by
 * its type, so a token can never pick how it is checked (no `none`, no HS256 keyed with a
 * public key). HS256 has one secret; ES256/EdDSA have the current key plus JWT_VERIFYING_KEYS.
 * Built once per process (JwtKeyRingModule); JwtModule and TokenCodec share it.
 */
export class JwtKeyRing {
  private constructor(
    readonly signing: JwtKey,
    private readonly verifying: JwtKey[],
  ) {}

  static async fromConfig(config: AppConfig): Promise<JwtKeyRing> {
    if (config.JWT_ALGORITHM === 'HS256') {
      const secret = config.JWT_SIGNING_KEY;
      if (secret === undefined) {
        throw new JwtKeyError('JWT_SIGNING_KEY is not set');
      }
      const key: JwtKey = { alg: 'HS256', key: createSecretKey(Buffer.from(secret, 'utf8')) };
      return new JwtKeyRing(key, [key]);
    }
    const privateKey = parseKey(() => createPrivateKey(pem(config.JWT_PRIVATE_KEY ?? '')), 'JWT_PRIVATE_KEY');
    const current = await publicKey(createPublicKey(privateKey), 'JWT_PRIVATE_KEY');
    if (current.alg !== config.JWT_ALGORITHM) {
      throw new JwtKeyError(`JWT_PRIVATE_KEY is a ${current.alg} key, not a ${config.JWT_ALGORITHM} one`);
    }
    const previous = await Promise.all(
      (pem(config.JWT_VERIFYING_KEYS ?? '').match(PUBLIC_PEM) ?? []).map((block) =>
        publicKey(
          parseKey(() => createPublicKey(block), 'JWT_VERIFYING_KEYS'),
          'JWT_VERIFYING_KEYS',
        ),
      ),
    );
    const signing: JwtKey = { alg: current.alg, kid: current.kid, key: privateKey };
    const verifying = [current, ...previous.filter((key) => key.kid !== current.kid)];
    return new JwtKeyRing(signing, verifying);
  }

  /** The key for a compact token's header (see `keyFor`); `undefined` for an unreadable header. */
  keyForToken(token: string): JwtKey | undefined {
    const header = protectedHeader(token);
    return header === undefined ? undefined : this.keyFor(header);
  }

  /** The key for a token's header, only if the header's `alg` is that key's algorithm. */
  keyFor(header: { alg?: unknown; kid?: unknown }): JwtKey | undefined {
    const key =
      this.signing.alg === 'HS256'
        ? this.verifying[0]
        : this.verifying.find((candidate) => candidate.kid === header.kid);
    return key !== undefined && key.alg === header.alg ? key : undefined;
  }

  /** Every algorithm some verifying key accepts. */
  algorithms(): JwtAlgorithm[] {
    return [...new Set(this.verifying.map((key) => key.alg))];
  }

  /** `GET /api/.well-known/jwks.json`: the public keys; empty for HS256. */
  jwks(): { keys: JWK[] } {
    return { keys: this.verifying.flatMap((key) => (key.jwk ? [key.jwk] : [])) };
  }
}

/** The decoded JSON header of a compact JWS, unverified; `undefined` unless it is a JSON object. */
function protectedHeader(token: string): { alg?: unknown; kid?: unknown } | undefined {
  const end = token.indexOf('.');
  if (end <= 0) {
    return undefined;
  }
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null ? header : undefined;
  } catch {
    return undefined;
  }
}

/** Env values often carry PEMs on one line with `\n` escapes. */
function pem(text: string): string {
  return text.replace(/\\n/g, '\n');
}

function parseKey(parse: () => KeyObject, variable: string): KeyObject {
  try {
    return parse();
  } catch (error) {
    throw new JwtKeyError(
      `${variable} is not a readable PEM key: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function publicKey(key: KeyObject, variable: string): Promise<JwtKey & { kid: string; jwk: JWK }> {
  const alg = algorithmOf(key);
  if (alg === undefined) {
    throw new JwtKeyError(`${variable} holds a key that is neither P-256 (ES256) nor Ed25519 (EdDSA)`);
  }
  const exported = await exportJWK(key);
  const kid = await calculateJwkThumbprint(exported);
  return { alg, kid, key, jwk: { ...exported, kid, alg, use: 'sig' } };
}

function algorithmOf(key: KeyObject): JwtAlgorithm | undefined {
  if (key.asymmetricKeyType === 'ed25519') {
    return 'EdDSA';
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'ES256';
  }
  return undefined;
}
