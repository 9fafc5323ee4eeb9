import { setTimeout as sleep } from 'node:timers/promises';
import { Database } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { CookieJar, extractTokens, parseCookieString, serializeCookies } from '../cookies/vinted-cookies';
import { SessionCipher, SessionCipherError } from '../crypto/session-cipher';
import { VintedAuthService } from '../http/vinted-auth.service';
import { MAX_CONSECUTIVE_FAILURES, backoffDelayMs } from '../scheduler/refresh-backoff';
import {
  InvalidVintedCookiesError,
  VintedBlockedError,
  VintedRefreshGaveUpError,
  VintedRequiresConfigurationError,
  VintedSessionExpiredError,
  VintedSessionNotFoundError,
  VintedUnavailableError,
  VintedUserNotFoundError,
} from '../vinted.errors';
import { describeRefreshFailure } from './refresh-failure';
import { VintedSessionStatus } from './vinted-session.entity';
import { SealedSession, StoredVintedSession, VintedSessionsRepository } from './vinted-sessions.repository';

/** The token endpoint refreshes an access token that expires within this margin. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** How long a refresh lease lives: several HTTP timeouts, so it only lapses if its holder died. */
export const REFRESH_LEASE_MS = 60_000;
const LEASE_POLL_MS = 50;

export interface VintedSessionView {
  status: VintedSessionStatus;
  expiresAt: Date | null;
  lastRefreshedAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  nextAttemptAt: Date | null;
}

/**
 * What one refresh attempt did: `skipped` when another caller held the session's lease, `joined`
 * when this caller waited for another's refresh, `fresh` when someone refreshed (or failed and
 * backed off) between the decision to refresh and the lease, so calling Vinted again was not needed.
 */
export type RefreshResult =
  'refreshed' | 'expired' | 'blocked' | 'transient' | 'unreadable' | 'skipped' | 'joined' | 'fresh';

export interface RefreshOptions {
  /** `wait` for a refresh already in flight elsewhere, or `skip` it (the scheduler). */
  mode: 'wait' | 'skip';
  /**
   * Refresh only if the access token still expires within this window once the lease is held and
   * no back-off runs (so a race with another refresher costs no second call). Unset: always (CLI).
   */
  dueWithinMs?: number;
}

/**
 * Vinted sessions of many users: store encrypted cookies, report status, hand out a fresh access
 * token, refresh. A refresh of one session is single-flight: in this process concurrent callers
 * share one promise; across replicas the database lease lets one through, and the others either
 * wait for its result (`wait`) or step aside (`skip`, the scheduler).
 */
@Injectable()
export class VintedSessionManager {
  private readonly logger = new Logger(VintedSessionManager.name);
  private readonly inFlight = new Map<number, Promise<RefreshResult>>();

  constructor(
    private readonly sessions: VintedSessionsRepository,
    private readonly cipher: SessionCipher,
    private readonly auth: VintedAuthService,
    private readonly database: Database,
  ) {}

  get configured(): boolean {
    return this.cipher.configured;
  }

  /** Validates and stores a browser cookie string for `userId`; nothing is stored on any error. */
  async store(userId: number, cookies: string): Promise<{ status: VintedSessionStatus; expiresAt: Date }> {
    this.requireConfiguration();
    const jar = parseCookieString(cookies);
    const tokens = extractTokens(jar);
    if (tokens.refreshExpiresAt.getTime() <= (await this.database.now()).getTime()) {
      throw new InvalidVintedCookiesError(
        'vinted_refresh_token_expired',
        'The refresh_token_web cookie has expired: log in to Vinted again and copy fresh cookies.',
      );
    }
    await this.sessions.upsert(userId, this.seal(userId, jar));
    const stored = await this.sessions.findByUserId(userId);
    this.logger.log(
      `Session validated for user ${stored?.username ?? userId} (access token expires ${tokens.accessExpiresAt.toISOString()})`,
    );
    return { status: 'active', expiresAt: tokens.accessExpiresAt };
  }

  /** The session's state, never a token. Without a secret: `requires_configuration`. */
  async view(userId: number): Promise<VintedSessionView> {
    const session = await this.sessions.findByUserId(userId);
    if (!this.configured) {
      const base = { expiresAt: null, lastRefreshedAt: null, consecutiveFailures: 0, nextAttemptAt: null };
      return {
        ...base,
        status: 'requires_configuration',
        lastError: 'VINTED_CREDENTIALS_SECRET is not configured on the server.',
      };
    }
    if (session === undefined) {
      throw new VintedSessionNotFoundError();
    }
    const unreadable = !this.cipher.canOpen(session.keyId);
    return {
      status: unreadable ? 'requires_configuration' : session.status,
      expiresAt: session.expiresAt,
      lastRefreshedAt: session.lastRefreshedAt,
      lastError: unreadable
        ? 'The session was encrypted with a secret this server does not have.'
        : describeRefreshFailure(session.lastErrorKind, session.lastError),
      consecutiveFailures: session.consecutiveFailures,
      nextAttemptAt: session.nextAttemptAt,
    };
  }

  /**
   * A usable access token for `userId`, refreshed first when it is expired or expires within
   * TOKEN_REFRESH_MARGIN_MS. Errors say what to do: store cookies (404/409), configure (503),
   * wait (503 blocked/unavailable, with `retryAfterSeconds`).
   */
  async accessToken(userId: number): Promise<{ accessToken: string; expiresAt: Date }> {
    this.requireConfiguration();
    let session = await this.usableSession(userId);
    if (session.needsRefresh) {
      // Backing off, or given up after MAX_CONSECUTIVE_FAILURES: do not call Vinted again now.
      if (session.backoffRemainingMs > 0 || (session.status === 'error' && session.nextAttemptAt === null)) {
        throw failureError(session);
      }
      await this.refresh(session.id, { mode: 'wait', dueWithinMs: TOKEN_REFRESH_MARGIN_MS });
      session = await this.usableSession(userId);
      if (session.needsRefresh) {
        throw failureError(session);
      }
    }
    const { accessToken } = extractTokens(this.open(session));
    return { accessToken, expiresAt: session.expiresAt as Date };
  }

  /** The account a maintenance command acts on: `username`, else the admin (ADMIN_USERNAME or the first). */
  async userIdFor(username: string | undefined, adminUsername?: string): Promise<number> {
    const id =
      username === undefined
        ? await this.sessions.findAdminId(adminUsername)
        : await this.sessions.findUserId(username);
    if (id === undefined) {
      throw new VintedUserNotFoundError(username ?? adminUsername ?? 'admin');
    }
    return id;
  }

  /** `vinted test-refresh`: refreshes the user's session now, back-off or not, and reports. */
  async refreshNow(userId: number): Promise<{ result: RefreshResult; session: VintedSessionView }> {
    this.requireConfiguration();
    const stored = await this.sessions.findByUserId(userId);
    if (stored === undefined) {
      throw new VintedSessionNotFoundError();
    }
    const result = await this.refresh(stored.id, { mode: 'wait' });
    return { result, session: await this.view(userId) };
  }

  /** Refreshes one session now, single-flight (see the class comment). Never throws for Vinted's answers. */
  refresh(sessionId: number, options: RefreshOptions): Promise<RefreshResult> {
    const running = this.inFlight.get(sessionId);
    if (running !== undefined) {
      return options.mode === 'skip' ? Promise.resolve('skipped') : running.then(() => 'joined');
    }
    const attempt = this.refreshOnce(sessionId, options).finally(() => this.inFlight.delete(sessionId));
    this.inFlight.set(sessionId, attempt);
    return attempt;
  }

  private async refreshOnce(sessionId: number, { mode, dueWithinMs }: RefreshOptions): Promise<RefreshResult> {
    const claim = await this.sessions.claimLease(sessionId, REFRESH_LEASE_MS, dueWithinMs ?? 0);
    if (claim === undefined) {
      if (mode === 'skip') {
        return 'skipped';
      }
      // Another replica is refreshing: its result lands in the row when its lease is released.
      while (await this.sessions.leaseHeld(sessionId)) {
        await sleep(LEASE_POLL_MS);
      }
      return 'joined';
    }
    const { leaseId, session } = claim;
    let recorded = false;
    try {
      if (
        dueWithinMs !== undefined &&
        (session.backoffRemainingMs > 0 || (!session.needsRefresh && session.status === 'active'))
      ) {
        return 'fresh';
      }
      const result = await this.refreshLeased(session, leaseId);
      recorded = true; // recording the outcome released the lease
      return result;
    } finally {
      if (!recorded) {
        await this.sessions.releaseLease(sessionId, leaseId);
      }
    }
  }

  private async refreshLeased(session: StoredVintedSession, leaseId: string): Promise<RefreshResult> {
    const who = `user ${session.username}`;
    let jar: CookieJar;
    try {
      jar = this.open(session);
    } catch (error) {
      const reason = error instanceof SessionCipherError ? error.message : 'the stored session cannot be read';
      await this.sessions.recordFailure(session.id, leaseId, {
        status: 'requires_configuration',
        kind: 'configuration',
        reason,
        consecutiveFailures: session.consecutiveFailures,
        retryInMs: null,
      });
      // Expected until the operator sets the key (the session is `requires_configuration`): a warning.
      this.logger.warn(`Cannot read the session of ${who}: ${reason}`);
      return 'unreadable';
    }
    const outcome = await this.auth.refresh(jar);
    if (outcome.kind === 'ok') {
      await this.sessions.recordSuccess(session.id, leaseId, this.seal(session.userId, outcome.jar));
      this.logger.log(
        `Token refreshed successfully for ${who} (access token expires ${outcome.tokens.accessExpiresAt.toISOString()})`,
      );
      return 'refreshed';
    }
    const failures = session.consecutiveFailures + 1;
    if (outcome.kind === 'dead') {
      await this.sessions.recordFailure(session.id, leaseId, {
        status: 'expired',
        kind: 'dead',
        reason: outcome.reason,
        consecutiveFailures: failures,
        retryInMs: null,
      });
      this.logger.warn(`Session expired for ${who}: ${outcome.reason}; new cookies are needed`);
      return 'expired';
    }
    const givenUp = failures >= MAX_CONSECUTIVE_FAILURES;
    const retryInMs = givenUp ? null : backoffDelayMs(outcome.kind, failures, Math.random(), outcome.retryAfterMs);
    // Anti-bot blocks make the session `error` at once; transient failures only once attempts run out.
    const status: VintedSessionStatus = givenUp || outcome.kind === 'blocked' ? 'error' : 'active';
    await this.sessions.recordFailure(session.id, leaseId, {
      status,
      kind: outcome.kind,
      reason: outcome.reason,
      consecutiveFailures: failures,
      retryInMs,
    });
    const next =
      retryInMs === null
        ? `giving up after ${failures} consecutive failures`
        : `next attempt in ${Math.round(retryInMs / 1000)} s`;
    this.logger.warn(
      `Token refresh failed for ${who} (${outcome.kind}: ${outcome.reason}; failure ${failures}/${MAX_CONSECUTIVE_FAILURES}, ${next})`,
    );
    return outcome.kind;
  }

  private async usableSession(userId: number): Promise<StoredVintedSession> {
    const session = await this.sessions.findByUserId(userId, TOKEN_REFRESH_MARGIN_MS);
    if (session === undefined) {
      throw new VintedSessionNotFoundError();
    }
    if (session.status === 'expired') {
      throw new VintedSessionExpiredError();
    }
    if (session.status === 'requires_configuration' || !this.cipher.canOpen(session.keyId)) {
      throw new VintedRequiresConfigurationError(
        'The stored Vinted session was encrypted with a secret this server does not have: set VINTED_CREDENTIALS_SECRET_PREVIOUS or store new cookies.',
      );
    }
    return session;
  }

  private requireConfiguration(): void {
    if (!this.configured) {
      throw new VintedRequiresConfigurationError();
    }
  }

  private seal(userId: number, jar: CookieJar): SealedSession {
    const tokens = extractTokens(jar);
    const { sealed, keyId } = this.cipher.seal(serializeCookies(jar), sessionAad(userId));
    return {
      cookiesEncrypted: sealed,
      keyId,
      expiresAt: tokens.accessExpiresAt,
      refreshExpiresAt: tokens.refreshExpiresAt,
    };
  }

  private open(session: Pick<StoredVintedSession, 'cookiesEncrypted' | 'keyId' | 'userId'>): CookieJar {
    return parseCookieString(this.cipher.open(session.cookiesEncrypted, session.keyId, sessionAad(session.userId)));
  }
}

/** Binds a ciphertext to its owner: a sealed jar copied onto another user's row does not open. */
export function sessionAad(userId: number): string {
  return `vinted-session:user:${userId}`;
}

/** Why a session still has no fresh token after a refresh (or during its back-off). */
function failureError(session: StoredVintedSession): Error {
  if (session.status === 'expired') {
    return new VintedSessionExpiredError();
  }
  if (session.status === 'error' && session.nextAttemptAt === null) {
    return new VintedRefreshGaveUpError(session.consecutiveFailures);
  }
  const retryAfterSeconds = Math.max(1, Math.ceil(session.backoffRemainingMs / 1000));
  switch (session.lastErrorKind) {
    case 'blocked':
      return new VintedBlockedError(retryAfterSeconds);
    case 'configuration':
      return new VintedRequiresConfigurationError();
    case 'transient':
      return new VintedUnavailableError(session.lastError || 'no fresh token', retryAfterSeconds);
    case 'dead':
    case null:
      // Not expected here (a dead session is `expired`); say what is stored rather than guess.
      return new VintedUnavailableError(
        describeRefreshFailure(session.lastErrorKind, session.lastError) || 'no fresh token',
        retryAfterSeconds,
      );
  }
}
