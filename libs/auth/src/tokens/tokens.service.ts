import { randomUUID } from 'node:crypto';
import { AppConfig } from '@app/config';
import { Database } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { EntityManager } from 'typeorm';
import {
  AuthError,
  InvalidCredentialsError,
  NoActiveAccountError,
  TokenBlacklistedOnVerifyError,
  TokenContext,
  TokenError,
  TokenProblem,
  TokenRejectedError,
  UserInactiveError,
  UserNotFoundError,
} from '../auth.errors';
import { AuthenticatedUser, UserEntity } from '../users/user.entity';
import { UserAuthCache, UserAuthState } from '../users/user-auth-cache';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { RefreshTokensRepository, StoredRefreshToken } from './refresh-tokens.repository';
import { SuccessorCipher } from './successor-cipher';
import { TokenClaims, newClaims, readClaims } from './token-claims';
import { TokenCodec } from './token-codec';

export interface Credentials {
  username: string;
  password: string;
}

export interface TokenPair {
  access: string;
  refresh: string;
}

type Rotation =
  | { ok: true; pair: TokenPair | { access: string } }
  | { ok: false; problem: TokenProblem | 'no_account'; reuse?: StoredRefreshToken };

/**
 * simplejwt's token views as services: obtain, refresh (rotation with reuse detection and a
 * grace window), verify, blacklist, revoke-all; and access-token authentication for the guard.
 * Inputs are validated by the caller; refusals are `AuthError`s (see auth.errors.ts).
 */
@Injectable()
export class TokensService {
  private readonly logger = new Logger('AuthSecurity');

  constructor(
    private readonly config: AppConfig,
    private readonly database: Database,
    private readonly codec: TokenCodec,
    private readonly cipher: SuccessorCipher,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly users: UsersRepository,
    private readonly accounts: UsersService,
    private readonly authCache: UserAuthCache,
  ) {}

  /** A new pair (a new refresh family) for valid credentials. */
  async obtain({ username, password }: Credentials): Promise<TokenPair> {
    const user = await this.accounts.authenticate(username, password);
    if (user === undefined) {
      throw new InvalidCredentialsError();
    }
    const { access, refresh } = await this.database.transaction((manager) =>
      this.issue(user, { familyId: randomUUID(), parentJti: null }, manager),
    );
    return { access, refresh };
  }

  /** Rotates the refresh token (see JWT_ROTATE_REFRESH_TOKENS). */
  async refresh(refresh: string): Promise<TokenPair | { access: string }> {
    const claims = await this.decodeForView(refresh, 'refresh');
    const outcome = await this.database.transaction((manager) => this.rotate(refresh, claims, manager));
    if (outcome.ok) {
      return outcome.pair;
    }
    if (outcome.reuse) {
      // The token was rotated before and presented again: stolen or replayed. Never log the token.
      this.logger.warn(
        {
          event: 'refresh_token_reuse',
          userId: outcome.reuse.userId,
          familyId: outcome.reuse.familyId,
          jti: outcome.reuse.jti,
        },
        'Reuse of a rotated refresh token: its whole family is revoked',
      );
    }
    throw outcome.problem === 'no_account'
      ? new NoActiveAccountError()
      : new TokenRejectedError(outcome.problem, 'token_view');
  }

  /** Checks a token of any type: resolves for a valid one, throws why it is not. */
  async verify(token: string): Promise<void> {
    const claims = await this.decodeForView(token);
    if (claims.token_type === 'refresh') {
      const stored = await this.refreshTokens.find(token, 0);
      if (stored === undefined) {
        throw new TokenRejectedError('Token is invalid', 'token_view');
      }
      if (stored.revoked || (stored.used && this.config.JWT_BLACKLIST_AFTER_ROTATION)) {
        throw new TokenBlacklistedOnVerifyError();
      }
    } else {
      // The user cache that authenticates requests (evicted on every revocation, on every replica).
      const user = await this.cachedUser(claims.user_id);
      if (user !== null && issuedBeforeRevocation(claims, user)) {
        throw new TokenBlacklistedOnVerifyError();
      }
    }
  }

  /** Logs this refresh token out (a rotated one ends its whole family). */
  async blacklist(refresh: string): Promise<void> {
    await this.decodeForView(refresh, 'refresh');
    const problem = await this.database.transaction(async (manager): Promise<TokenProblem | undefined> => {
      if (await this.refreshTokens.revoke(refresh, manager)) {
        return undefined;
      }
      const stored = await this.refreshTokens.find(refresh, 0, manager);
      if (stored === undefined) {
        return 'Token is invalid';
      }
      if (stored.used && !stored.revoked) {
        // Logging out with an already rotated token: end the whole session it belongs to.
        await this.refreshTokens.revokeFamily(stored.familyId, 'logout', manager);
      }
      return stored.expired && !stored.revoked ? 'Token is expired' : 'Token is blacklisted';
    });
    if (problem !== undefined) {
      throw new TokenRejectedError(problem, 'token_view');
    }
  }

  /** Every token of the user stops working now. */
  async revokeAll(userId: number): Promise<{ revoked: number }> {
    const revoked = await this.database.transaction(async (manager) => {
      await this.users.invalidateTokens(userId, manager);
      return this.refreshTokens.revokeAllForUser(userId, 'revoke_all', manager);
    });
    await this.authCache.changed(userId);
    return { revoked };
  }

  /** A new pair for a user who just proved who they are (after a password change, say). */
  async issuePair(userId: number): Promise<TokenPair> {
    return this.database.transaction(async (manager) => {
      const user = await this.users.findById(userId, manager);
      if (user === null || !user.isActive) {
        throw new InvalidCredentialsError();
      }
      const { access, refresh } = await this.issue(user, { familyId: randomUUID(), parentJti: null }, manager);
      return { access, refresh };
    });
  }

  /** The user of a valid access token (the API's authentication); throws an `AuthError` otherwise. */
  async authenticateAccess(token: string): Promise<AuthenticatedUser> {
    return this.userOf(await this.decode(token, 'authentication', 'access'));
  }

  /** The active user behind verified access claims (issued after any revoke-all). */
  private async userOf(claims: TokenClaims): Promise<AuthenticatedUser> {
    const user = await this.cachedUser(claims.user_id);
    if (user === null) {
      throw new UserNotFoundError();
    }
    if (!user.isActive) {
      throw new UserInactiveError();
    }
    if (issuedBeforeRevocation(claims, user)) {
      throw new TokenRejectedError('Token is blacklisted', 'authentication');
    }
    return { id: user.id, username: user.username, role: user.role };
  }

  private cachedUser(id: number): Promise<UserAuthState | null> {
    return this.authCache.get(id, () => this.users.findById(id));
  }

  /**
   * The refresh middleware: `access` is expired (correctly signed, nothing else wrong) and
   * `refresh` is a refresh token of the same user. Rotates it exactly like `POST /api/token/refresh/`
   * (reuse detection and grace window included) and authenticates with the new access token.
   * `undefined` when any of it fails: the caller answers as if there were no middleware.
   */
  async refreshExpiredAccess(
    access: string,
    refresh: string,
  ): Promise<{ user: AuthenticatedUser; pair: TokenPair | { access: string } } | undefined> {
    const expired = await this.codec.expiredClaims(access, 'access');
    if (expired === undefined) {
      return undefined;
    }
    let refreshClaims: TokenClaims;
    try {
      refreshClaims = await this.codec.decode(refresh, 'refresh');
    } catch {
      return undefined;
    }
    if (refreshClaims.user_id !== expired.user_id) {
      return undefined;
    }
    try {
      const pair = await this.refresh(refresh);
      // We signed it a moment ago: nothing to verify, and its expiry must not be judged again
      // (with a lifetime of a second or two it can lapse while this request is still running).
      const claims = readClaims(decodeJwt(pair.access));
      if (claims === undefined) {
        throw new Error('A freshly signed access token has unreadable claims');
      }
      return { user: await this.userOf(claims), pair };
    } catch (error) {
      if (error instanceof AuthError) {
        return undefined;
      }
      throw error;
    }
  }

  /** Deletes expired refresh tokens (daily cron and `cli flush-expired-tokens`). */
  flushExpired(): Promise<number> {
    return this.refreshTokens.purgeExpired(this.config.JWT_REFRESH_GRACE_PERIOD);
  }

  private async rotate(refresh: string, claims: TokenClaims, manager: EntityManager): Promise<Rotation> {
    const { JWT_ROTATE_REFRESH_TOKENS: rotate, JWT_BLACKLIST_AFTER_ROTATION: blacklist } = this.config;
    const claimed = rotate && blacklist ? await this.refreshTokens.claimForRotation(refresh, manager) : undefined;
    const stored = claimed ?? (await this.refreshTokens.find(refresh, this.config.JWT_REFRESH_GRACE_PERIOD, manager));
    if (stored === undefined || stored.userId !== claims.user_id) {
      return { ok: false, problem: 'Token is invalid' };
    }
    if (claimed === undefined) {
      if (stored.revoked) {
        return { ok: false, problem: 'Token is blacklisted' };
      }
      if (stored.expired) {
        return { ok: false, problem: 'Token is expired' };
      }
      if (stored.used) {
        return this.retryOrRevoke(stored, manager);
      }
    }
    const user = await this.users.findById(stored.userId, manager);
    if (user === null || !user.isActive) {
      return { ok: false, problem: 'no_account' };
    }
    if (!rotate) {
      return { ok: true, pair: { access: (await this.issue(user, undefined, manager)).access } };
    }
    const pair = await this.issue(user, { familyId: stored.familyId, parentJti: stored.jti }, manager);
    if (claimed !== undefined) {
      await this.refreshTokens.setSuccessor(stored.jti, pair.refreshJti, this.cipher.encrypt(pair.refresh), manager);
    }
    return { ok: true, pair: { access: pair.access, refresh: pair.refresh } };
  }

  /** A rotated token again: within the grace window the same successor, otherwise reuse. */
  private async retryOrRevoke(stored: StoredRefreshToken, manager: EntityManager): Promise<Rotation> {
    if (stored.inGrace && stored.replacedBy !== null && stored.successorToken !== null) {
      const successor = await this.refreshTokens.findByJti(stored.replacedBy, manager);
      const successorToken = this.cipher.decrypt(stored.successorToken);
      const user = await this.users.findById(stored.userId, manager);
      if (successor && !successor.used && !successor.revoked && successorToken !== undefined && user?.isActive) {
        return {
          ok: true,
          pair: { access: (await this.issue(user, undefined, manager)).access, refresh: successorToken },
        };
      }
    }
    await this.refreshTokens.revokeFamily(stored.familyId, 'reuse', manager);
    return { ok: false, problem: 'Token is blacklisted', reuse: stored };
  }

  /**
   * Signs an access token and, with a family, a stored refresh token. `iat` comes from the
   * database clock and is never before the user's `tokens_valid_after`, so a token issued right
   * after a revoke-all is not refused by it.
   */
  private async issue(
    user: UserEntity,
    family: { familyId: string; parentJti: string | null } | undefined,
    manager: EntityManager,
  ): Promise<TokenPair & { refreshJti: string }> {
    const rows = await manager.query<{ now: string }[]>('SELECT floor(extract(epoch FROM now()))::bigint AS now');
    const validAfter = user.tokensValidAfter === null ? 0 : Math.ceil(user.tokensValidAfter.getTime() / 1000);
    const issuedAt = Math.max(Number(rows[0].now), validAfter);
    const access = await this.codec.sign(newClaims('access', user, issuedAt, this.config.JWT_ACCESS_TOKEN_LIFETIME));
    if (family === undefined) {
      return { access, refresh: '', refreshJti: '' };
    }
    const refreshClaims = newClaims('refresh', user, issuedAt, this.config.JWT_REFRESH_TOKEN_LIFETIME);
    const refresh = await this.codec.sign(refreshClaims);
    await this.refreshTokens.insert(
      {
        jti: refreshClaims.jti,
        token: refresh,
        ...family,
        userId: user.id,
        expiresAt: new Date(refreshClaims.exp * 1000),
      },
      manager,
    );
    return { access, refresh, refreshJti: refreshClaims.jti };
  }

  private decodeForView(token: string, expected?: 'access' | 'refresh'): Promise<TokenClaims> {
    return this.decode(token, 'token_view', expected);
  }

  /** The codec's verdict, a refusal naming where the token was presented. */
  private async decode(token: string, context: TokenContext, expected?: 'access' | 'refresh'): Promise<TokenClaims> {
    try {
      return await this.codec.decode(token, expected);
    } catch (error) {
      throw error instanceof TokenError ? new TokenRejectedError(error.problem, context) : error;
    }
  }
}

/** Issued before the user's last revoke-all or password change. */
function issuedBeforeRevocation(claims: TokenClaims, user: Pick<UserAuthState, 'tokensValidAfter'>): boolean {
  return user.tokensValidAfter !== null && claims.iat * 1000 < user.tokensValidAfter.getTime();
}
