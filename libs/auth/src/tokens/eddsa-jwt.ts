// jose signs and verifies EdDSA (Ed25519) tokens because jsonwebtoken, under @nestjs/jwt, has no
// EdDSA at all; every other algorithm goes through JwtService.
import { SignJWT, errors, jwtVerify } from 'jose';
import { JwtKey } from './jwt-key-ring';
import { TokenError } from '../auth.errors';
import { TokenClaims } from './token-claims';

/** A compact EdDSA token with the header `{"alg":"EdDSA","typ":"JWT","kid":…}`. */
export function signEdDsa(claims: TokenClaims, key: JwtKey): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: key.kid }).sign(key.key);
}

/**
 * The payload of a token signed by `key` (an Ed25519 public key), with `exp` checked against
 * `clockTolerance` seconds, or not at all with `ignoreExpiration`. Throws simplejwt's sentence.
 */
export async function verifyEdDsa(
  token: string,
  key: JwtKey,
  options: { clockTolerance: number; ignoreExpiration: boolean },
): Promise<unknown> {
  try {
    const { payload } = await jwtVerify(token, key.key, {
      algorithms: ['EdDSA'],
      // Verified as of the epoch when expiry is ignored: the signature and claims are checked, `exp` is not.
      ...(options.ignoreExpiration ? { currentDate: new Date(0) } : { clockTolerance: options.clockTolerance }),
    });
    return payload;
  } catch (error) {
    throw new TokenError(error instanceof errors.JWTExpired ? 'Token is expired' : 'Token is invalid');
  }
}
