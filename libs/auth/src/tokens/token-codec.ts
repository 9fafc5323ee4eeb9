import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { JWK } from 'jose';
import { BoundedCache } from '../bounded-cache';
import { signEdDsa, verifyEdDsa } from './eddsa-jwt';
import { JwtKeyRing } from './jwt-key-ring';
import { TokenError } from '../auth.errors';
import { TokenClaims, TokenType, readClaims } from './token-claims';

const VERIFIED_TOKENS_CACHED = 10_000;
/** How far ahead of the clock a token we issue may be dated (see `issuedInTheFuture`). */
const ISSUE_ROUNDING_SECONDS = 1;

/**
 * Signs and verifies JWTs with the key ring: `JwtService` (configured in jwt-module-options.ts)
 * for HS256/ES256, jose for EdDSA keys. Knows nothing of users or storage.
 */
@Injectable()
export class TokenCodec {
  /**
   * Tokens whose signature and claims were verified, keyed by the whole compact token (so a
   * single changed byte misses). Verification is a pure function of the token and the key ring,
   * which is fixed for the life of the process; only `exp` is re-checked on a hit. Revocation is
   * not decided here (the user's `tokens_valid_after`, the refresh-token store).
   */
  private readonly verified = new BoundedCache<string, TokenClaims>(VERIFIED_TOKENS_CACHED);
  /** JWT_LEEWAY in whole seconds, as both libraries take it. */
  private readonly leeway: number;
  /** Whether some key is Ed25519 (verified by jose); if not, no header is read here, only in JwtService. */
  private readonly hasEdDsaKeys: boolean;

  constructor(
    config: AppConfig,
    private readonly jwt: JwtService,
    private readonly ring: JwtKeyRing,
  ) {
    this.leeway = Math.floor(config.JWT_LEEWAY / 1000);
    this.hasEdDsaKeys = ring.algorithms().includes('EdDSA');
  }

  async sign(claims: TokenClaims): Promise<string> {
    const { signing } = this.ring;
    return signing.alg === 'EdDSA' ? signEdDsa(claims, signing) : this.jwt.sign({ ...claims });
  }

  /**
   * The claims of a token whose signature, `exp` (with JWT_LEEWAY) and claims are valid, and
   * whose type is `expected` when given. Throws `TokenError` with simplejwt's sentence.
   */
  async decode(token: string, expected?: TokenType): Promise<TokenClaims> {
    let claims = this.verified.get(token);
    if (claims !== undefined && claims.exp <= Math.floor(Date.now() / 1000) - this.leeway) {
      // Expired since it was cached: answer what a fresh verification would.
      this.verified.delete(token);
      throw new TokenError('Token is expired');
    }
    if (claims === undefined) {
      claims = readClaims(await this.verifiedPayload(token, false));
      if (claims === undefined || this.issuedInTheFuture(claims)) {
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
      payload = await this.verifiedPayload(token, true);
    } catch {
      return undefined;
    }
    const claims = readClaims(payload);
    const expired =
      claims !== undefined && !this.issuedInTheFuture(claims) && (claims.exp + this.leeway) * 1000 <= Date.now();
    return expired && claims.token_type === expected ? claims : undefined;
  }

  jwks(): { keys: JWK[] } {
    return this.ring.jwks();
  }

  /**
   * The payload of a token signed by the ring key its header names, pinned to that key's
   * algorithm; `exp` is checked with JWT_LEEWAY unless `ignoreExpiration`. Throws `TokenError`.
   */
  private async verifiedPayload(token: string, ignoreExpiration: boolean): Promise<Record<string, unknown>> {
    let payload: unknown;
    const key = this.hasEdDsaKeys ? this.ring.keyForToken(token) : undefined;
    if (key?.alg === 'EdDSA') {
      payload = await verifyEdDsa(token, key, { clockTolerance: this.leeway, ignoreExpiration });
    } else {
      try {
        payload = this.jwt.verify<object>(token, { ignoreExpiration });
      } catch (error) {
        throw new TokenError(error instanceof TokenExpiredError ? 'Token is expired' : 'Token is invalid');
      }
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new TokenError('Token is invalid'); // jsonwebtoken returns a non-object payload as is
    }
    return payload as Record<string, unknown>;
  }

  /**
   * A token dated after now (beyond JWT_LEEWAY and the one second by which an issue may round up,
   * see below) was not issued by a sane clock. Refused like PyJWT's `iat` check (simplejwt's
   * "Token is invalid"): a token dated years ahead would otherwise outlive every revoke-all and
   * password change, which refuse tokens issued before them by comparing `iat`. `iat` is the
   * database clock's second, moved up to the user's `tokens_valid_after` (the next whole second
   * after a revocation), so a fresh token may be dated up to 1 s ahead. `nbf` is checked by the
   * verifying libraries (with the same leeway).
   */
  private issuedInTheFuture(claims: TokenClaims): boolean {
    return claims.iat * 1000 > Date.now() + (this.leeway + ISSUE_ROUNDING_SECONDS) * 1000;
  }
}
