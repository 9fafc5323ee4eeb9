import { Injectable, Logger } from '@nestjs/common';
import { extractTokens, parseCookieString } from '../cookies/vinted-cookies';
import { SessionCipher } from '../crypto/session-cipher';
import { VintedRequiresConfigurationError } from '../vinted.errors';
import { describeRefreshFailure } from './refresh-failure';
import { VintedSessionStatus } from './vinted-session.entity';
import { sessionAad } from './vinted-session-manager.service';
import { VintedSessionsRepository } from './vinted-sessions.repository';

export interface RotationReport {
  reencrypted: number;
  upToDate: number;
  /** Sealed with a key that is neither the current nor the previous secret's. */
  unreadable: number;
  /** Changed (refreshed) between read and write: already sealed with the current key by the refresher. */
  raced: number;
}

/** What `vinted diagnostic` shows of a session: names and instants, never a cookie value. */
export interface SessionDiagnosis {
  username: string;
  status: VintedSessionStatus;
  keyId: string;
  readable: boolean;
  /** Why it could not be decrypted or parsed. */
  problem?: string;
  cookieNames: string[];
  accessExpiresAt: Date | null;
  refreshExpiresAt: Date | null;
  lastRefreshedAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  nextAttemptAt: Date | null;
}

/** Maintenance over all sessions: re-encryption after a secret rotation, and decrypting diagnostics. */
@Injectable()
export class SessionKeyRotation {
  private readonly logger = new Logger('VintedSessionManager');

  constructor(
    private readonly sessions: VintedSessionsRepository,
    private readonly cipher: SessionCipher,
  ) {}

  /**
   * Re-encrypts every session sealed with VINTED_CREDENTIALS_SECRET_PREVIOUS under the current
   * VINTED_CREDENTIALS_SECRET. Safe to run while the API refreshes: a row that changed meanwhile
   * is left as the refresher wrote it (already under the current key).
   */
  async rotate(): Promise<RotationReport> {
    const current = this.cipher.currentKeyId;
    if (current === undefined) {
      throw new VintedRequiresConfigurationError();
    }
    const report: RotationReport = { reencrypted: 0, upToDate: 0, unreadable: 0, raced: 0 };
    for (const session of await this.sessions.findAll()) {
      if (session.keyId === current) {
        report.upToDate += 1;
        continue;
      }
      if (!this.cipher.canOpen(session.keyId)) {
        report.unreadable += 1;
        continue;
      }
      const aad = sessionAad(session.userId);
      const plain = this.cipher.open(session.cookiesEncrypted, session.keyId, aad);
      const { sealed, keyId } = this.cipher.seal(plain, aad);
      const replaced = await this.sessions.replaceCiphertext(session.id, session.cookiesEncrypted, {
        cookiesEncrypted: sealed,
        keyId,
      });
      report[replaced ? 'reencrypted' : 'raced'] += 1;
    }
    this.logger.log(
      `Secret rotation: ${report.reencrypted} re-encrypted, ${report.upToDate} already current, ${report.unreadable} unreadable`,
    );
    return report;
  }

  async diagnose(): Promise<SessionDiagnosis[]> {
    return (await this.sessions.findAll()).map((session) => {
      const base = {
        username: session.username,
        status: session.status,
        keyId: session.keyId,
        lastRefreshedAt: session.lastRefreshedAt,
        lastError: describeRefreshFailure(session.lastErrorKind, session.lastError),
        consecutiveFailures: session.consecutiveFailures,
        nextAttemptAt: session.nextAttemptAt,
      };
      try {
        const jar = parseCookieString(
          this.cipher.open(session.cookiesEncrypted, session.keyId, sessionAad(session.userId)),
        );
        const cookieNames = [...jar.keys()];
        const tokens = extractTokens(jar);
        return {
          ...base,
          readable: true,
          cookieNames,
          accessExpiresAt: tokens.accessExpiresAt,
          refreshExpiresAt: tokens.refreshExpiresAt,
        };
      } catch (error) {
        const problem = error instanceof Error ? error.message : 'cannot be read';
        return {
          ...base,
          readable: false,
          problem,
          cookieNames: [],
          accessExpiresAt: session.expiresAt,
          refreshExpiresAt: session.refreshExpiresAt,
        };
      }
    });
  }
}
