import { AppConfig } from '@app/config';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { JWK, JWTVerifyOptions, SignJWT, errors, jwtVerify } from 'jose';
import { BoundedCache } from '../bounded-cache';
import { JwtKeyRing } from './jwt-key-ring';
import { TokenError } from './simplejwt-errors';
import { TokenClaims, TokenType, readClaims } from './token-claims';

const VERIFIED_TOKENS_CACHED = 10_000;

/** Signs and verifies JWTs with the configured key ring; knows nothing of users or storage. */
@Injectable()
export class TokenCodec implements OnModuleInit {
  private ring?: JwtKeyRing;
  /**
   * Tokens whose signature and claims were verified, keyed by the whole compact token (so a
   * single changed byte misses). Verification is a pure function of the token and the key ring,
   * which is fixed for the life of the process; only `exp` is re-checked on a hit. Revocation is
   * not decided here (the user's `tokens_valid_after`, the refresh-token store).
   */
  private readonly verified = new BoundedCache<string, TokenClaims>(VERIFIED_TOKENS_CACHED);

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    this.ring = await JwtKeyRing.fromConfig(this.config);
  }

  async sign(claims: TokenClaims): Promise<string> {
    const { signing } = this.keys();
    return new SignJWT({ ...claims })
      .setProtectedHeader(
        signing.kid === undefined
          ? { alg: signing.alg, typ: 'JWT' }
          : { alg: signing.alg, typ: 'JWT', kid: signing.kid },
      )
      .sign(signing.key);
  }

  /**
   * The claims of a token whose signature, `exp` (with JWT_LEEWAY) and claims are valid, and
   * whose type is `expected` when given. Throws `TokenError` with simplejwt's sentence.
   */
  async decode(token: string, expected?: TokenType): Promise<TokenClaims> {
    const leeway = Math.floor(this.config.JWT_LEEWAY / 1000);
    let claims = this.verified.get(token);
    if (claims !== undefined && claims.exp <= Math.floor(Date.now() / 1000) - leeway) {
      // Expired since it was cached: answer what a fresh verification would.
      this.verified.delete(token);
      throw new TokenError('Token is expired');
    }
    if (claims === undefined) {
      let payload: Record<string, unknown>;
      try {
        payload = await this.verifiedPayload(token, { clockTolerance: leeway });
      } catch (error) {
        throw new TokenError(error instanceof errors.JWTExpired ? 'Token is expired' : 'Token is invalid');
      }
      claims = readClaims(payload);
      if (claims === undefined) {
        throw new TokenError('Token is invalid');
      }
      this.verified.set(token, claims);
    }
    if (expected !== undefined && claims.token_type !== expected) {
      throw new TokenError('Token has wrong type');
    }
    return claims;
  }

  /**
   * The claims of a correctly signed token that is past its `exp` (beyond JWT_LEEWAY), or
   * `undefined` for any other token (valid, tampered, malformed). For the refresh middleware.
   */
  async expiredClaims(token: string, expected: TokenType): Promise<TokenClaims | undefined> {
    let payload: Record<string, unknown>;
    try {
      // Verified as of the epoch: the signature and claims are checked, `exp` is not.
      payload = await this.verifiedPayload(token, { currentDate: new Date(0) });
    } catch {
      return undefined;
    }
    const claims = readClaims(payload);
    const expired =
      claims !== undefined && claims.exp * 1000 + Math.floor(this.config.JWT_LEEWAY / 1000) * 1000 <= Date.now();
    return expired && claims.token_type === expected ? claims : undefined;
  }

  /** Verifies the signature with the key the header names, pinned to the ring's algorithms. */
  private async verifiedPayload(
    token: string,
    options: Pick<JWTVerifyOptions, 'clockTolerance' | 'currentDate'>,
  ): Promise<Record<string, unknown>> {
    const ring = this.keys();
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = ring.keyFor(header);
        if (key === undefined) {
          throw new errors.JWSSignatureVerificationFailed();
        }
        return key.key;
      },
      { algorithms: ring.algorithms(), ...options },
    );
    return payload;
  }

  jwks(): { keys: JWK[] } {
    return this.keys().jwks();
  }

  private keys(): JwtKeyRing {
    if (this.ring === undefined) {
      throw new Error('TokenCodec used before module initialisation');
    }
    return this.ring;
  }
}
