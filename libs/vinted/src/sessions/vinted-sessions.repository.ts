import { randomUUID } from 'node:crypto';
import { OUTBOX_COLUMNS } from '@app/events';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { RefreshFailureKind } from './refresh-failure';
import { VintedSessionStatus } from './vinted-session.entity';

/** A stored session as the services see it; the booleans are judged with the database's clock. */
export interface StoredVintedSession {
  id: number;
  userId: number;
  username: string;
  cookiesEncrypted: string;
  keyId: string;
  status: VintedSessionStatus;
  expiresAt: Date | null;
  refreshExpiresAt: Date | null;
  lastRefreshedAt: Date | null;
  /** The human reason of the last failed refresh, without its kind. */
  lastError: string | null;
  lastErrorKind: RefreshFailureKind | null;
  consecutiveFailures: number;
  nextAttemptAt: Date | null;
  /** The access token expires within the margin asked for (or has no known expiry). */
  needsRefresh: boolean;
  /** Milliseconds until `nextAttemptAt`, 0 when it is past or unset. */
  backoffRemainingMs: number;
}

export interface SealedSession {
  cookiesEncrypted: string;
  keyId: string;
  expiresAt: Date;
  refreshExpiresAt: Date;
}

export interface FailedRefresh {
  status: VintedSessionStatus;
  kind: RefreshFailureKind;
  reason: string;
  consecutiveFailures: number;
  /** Back-off before the next automatic attempt; null: none (dead, or given up). */
  retryInMs: number | null;
}

const COLUMNS = `s.id, s.user_id AS "userId", u.username, s.cookies_encrypted AS "cookiesEncrypted", s.key_id AS "keyId",
  s.status, s.expires_at AS "expiresAt", s.refresh_expires_at AS "refreshExpiresAt",
  s.last_refreshed_at AS "lastRefreshedAt", s.last_error AS "lastError",
  s.last_error_kind AS "lastErrorKind", s.consecutive_failures AS "consecutiveFailures", s.next_attempt_at AS "nextAttemptAt",
  (s.expires_at IS NULL OR s.expires_at <= now() + make_interval(secs => $MARGIN)) AS "needsRefresh",
  GREATEST(0, COALESCE(EXTRACT(EPOCH FROM (s.next_attempt_at - now())) * 1000, 0))::float8 AS "backoffRemainingMs"`;

function columns(marginParameter: number): string {
  return COLUMNS.replace('$MARGIN', `$${marginParameter}`);
}

/**
 * The CTE that writes `vinted.session.status_changed` for each row of `changed` (`id`, `user_id`,
 * `before`, `after`, `reason_kind`) whose status really changed: a statement that changes a
 * session's status writes its event itself, so the event exists exactly when the change does.
 */
const STATUS_CHANGED = `status_changed AS (
  INSERT INTO ${OUTBOX_COLUMNS}
  SELECT 'vinted_session', id::text, 'vinted.session.status_changed', 'users/' || user_id,
         jsonb_build_object('userId', user_id, 'from', before, 'to', after, 'reasonKind', reason_kind)
  FROM changed WHERE before <> after
)`;

/**
 * An UPDATE of one session that writes its status change: `previous` locks the row and reads its
 * status (so `before` is the status this update replaced, not a stale snapshot's), then `changed`
 * updates it. `set` and `where` may use the parameters from $3 on; $1 is the session id, $2 the
 * failure kind (null when no failure caused the change). Answers the updated ids.
 */
function updateWithStatusEvent(set: string, where: string): string {
  return `WITH previous AS MATERIALIZED (
    SELECT id, status FROM vinted_sessions WHERE id = $1 FOR UPDATE
  ), changed AS (
    UPDATE vinted_sessions s SET ${set}, updated_at = now() FROM previous p
    WHERE s.id = p.id AND ${where}
    RETURNING s.id, s.user_id, p.status AS before, s.status AS after, $2::text AS reason_kind
  ), ${STATUS_CHANGED}
  SELECT id FROM changed`;
}

/** TypeORM answers an UPDATE on PostgreSQL with `[rows, rowCount]`, a SELECT with rows. */
async function modify<T = unknown>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<T[]> {
  const result = await manager.query<[T[], number] | T[]>(sql, parameters);
  return Array.isArray(result[0]) ? result[0] : (result as T[]);
}

/**
 * The only place with SQL on `vinted_sessions`. Every time comparison uses the database's
 * `now()`. The refresh lease (`claimLease`) is the cross-replica single flight: one conditional
 * UPDATE, so two replicas can never both hold it; no transaction stays open during the HTTP call.
 */
@Injectable()
export class VintedSessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findUserId(username: string): Promise<number | undefined> {
    const rows = await this.dataSource.query<{ id: number }[]>('SELECT id FROM users WHERE username = $1', [username]);
    return rows[0]?.id;
  }

  /** The first admin account (ADMIN_USERNAME when given), for VINTED_SESSION and the CLI's default. */
  async findAdminId(username?: string): Promise<number | undefined> {
    const rows = await this.dataSource.query<{ id: number }[]>(
      `SELECT id FROM users WHERE role = 'admin' AND ($1::text IS NULL OR username = $1) ORDER BY id LIMIT 1`,
      [username ?? null],
    );
    return rows[0]?.id;
  }

  /**
   * Stores fresh cookies for a user: a clean `active` slate, and any lease in flight is voided.
   * A new session writes `vinted.session.status_changed` from `none`; a stored one, from its
   * status unless it was `active` already. (Two first stores racing: the second finds the row the
   * first inserted, after its snapshot, and writes no event; the first wrote `none` → `active`.)
   */
  async upsert(userId: number, session: SealedSession): Promise<void> {
    await this.dataSource.query(
      // `stored` reads `previous`, so the row is locked and its status read before the upsert.
      `WITH previous AS MATERIALIZED (
         SELECT status FROM vinted_sessions WHERE user_id = $1 FOR UPDATE
       ), stored AS (
         INSERT INTO vinted_sessions (user_id, cookies_encrypted, key_id, status, expires_at, refresh_expires_at)
         SELECT $1::integer, $2::text, $3::text, 'active', $4::timestamptz, $5::timestamptz
         FROM (VALUES (0)) AS one LEFT JOIN previous ON true
         ON CONFLICT (user_id) DO UPDATE SET cookies_encrypted = EXCLUDED.cookies_encrypted, key_id = EXCLUDED.key_id,
           status = 'active', expires_at = EXCLUDED.expires_at, refresh_expires_at = EXCLUDED.refresh_expires_at,
           last_error = NULL, last_error_kind = NULL, consecutive_failures = 0, next_attempt_at = NULL,
           refresh_lease_id = NULL, refresh_lease_until = NULL, updated_at = now()
         RETURNING id, user_id, status, xmax = 0 AS created
       ), changed AS (
         SELECT s.id, s.user_id, CASE WHEN s.created THEN 'none' ELSE p.status END AS before, s.status AS after,
                NULL::text AS reason_kind
         FROM stored s LEFT JOIN previous p ON true
       ), ${STATUS_CHANGED}
       SELECT 1`,
      [userId, session.cookiesEncrypted, session.keyId, session.expiresAt, session.refreshExpiresAt],
    );
  }

  async findByUserId(userId: number, marginMs = 0): Promise<StoredVintedSession | undefined> {
    const rows = await this.dataSource.query<StoredVintedSession[]>(
      `SELECT ${columns(2)} FROM vinted_sessions s JOIN users u ON u.id = s.user_id WHERE s.user_id = $1`,
      [userId, marginMs / 1000],
    );
    return rows[0];
  }

  async findAll(): Promise<StoredVintedSession[]> {
    return this.dataSource.query<StoredVintedSession[]>(
      `SELECT ${columns(1)} FROM vinted_sessions s JOIN users u ON u.id = s.user_id ORDER BY s.id`,
      [0],
    );
  }

  /**
   * Sessions the scheduler should refresh now, soonest expiry first: live ones whose access token
   * expires within `windowMs` and that are not backing off, and `error` ones whose back-off is
   * over (a session that used up its attempts has no `next_attempt_at` and waits for a human).
   */
  async findDueIds(windowMs: number, limit: number): Promise<number[]> {
    const rows = await this.dataSource.query<{ id: number }[]>(
      `SELECT id FROM vinted_sessions
       WHERE (refresh_lease_until IS NULL OR refresh_lease_until <= now())
         AND ((status = 'active' AND (next_attempt_at IS NULL OR next_attempt_at <= now())
               AND (expires_at IS NULL OR expires_at <= now() + make_interval(secs => $1)))
           OR (status = 'error' AND next_attempt_at <= now()))
       ORDER BY expires_at NULLS FIRST, id LIMIT $2`,
      [windowMs / 1000, limit],
    );
    return rows.map((row) => row.id);
  }

  /** Takes the refresh lease if nobody holds a live one; the session as it is now, or undefined. */
  async claimLease(
    sessionId: number,
    leaseMs: number,
    marginMs: number,
  ): Promise<{ leaseId: string; session: StoredVintedSession } | undefined> {
    const leaseId = randomUUID();
    // One statement: claim and read. RETURNING sees the row as updated, with the user joined in.
    const rows = await modify<StoredVintedSession>(
      this.dataSource.manager,
      `UPDATE vinted_sessions s SET refresh_lease_id = $2, refresh_lease_until = now() + make_interval(secs => $3)
       FROM users u
       WHERE u.id = s.user_id AND s.id = $1 AND (s.refresh_lease_until IS NULL OR s.refresh_lease_until <= now())
       RETURNING ${columns(4)}`,
      [sessionId, leaseId, leaseMs / 1000, marginMs / 1000],
    );
    return rows[0] && { leaseId, session: rows[0] };
  }

  /** True while some process holds a live lease on the session. */
  async leaseHeld(sessionId: number): Promise<boolean> {
    const rows = await this.dataSource.query<{ held: boolean }[]>(
      'SELECT refresh_lease_until > now() AS held FROM vinted_sessions WHERE id = $1',
      [sessionId],
    );
    return rows[0]?.held === true;
  }

  /** Stores the rotated cookies under the lease; false if the lease was voided (new cookies came in). */
  async recordSuccess(sessionId: number, leaseId: string, session: SealedSession): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: number }[]>(
      updateWithStatusEvent(
        `cookies_encrypted = $4, key_id = $5, expires_at = $6, refresh_expires_at = $7,
         status = 'active', last_refreshed_at = now(), last_error = NULL, last_error_kind = NULL,
         consecutive_failures = 0, next_attempt_at = NULL, refresh_lease_id = NULL, refresh_lease_until = NULL`,
        's.refresh_lease_id = $3',
      ),
      [sessionId, null, leaseId, session.cookiesEncrypted, session.keyId, session.expiresAt, session.refreshExpiresAt],
    );
    return rows.length > 0;
  }

  /** Records a failed refresh under the lease; its kind is the event's `reasonKind` if the status changes. */
  async recordFailure(sessionId: number, leaseId: string, failure: FailedRefresh): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: number }[]>(
      updateWithStatusEvent(
        `status = $4, last_error_kind = $2, last_error = $5, consecutive_failures = $6,
         next_attempt_at = CASE WHEN $7::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $7::float8) END,
         refresh_lease_id = NULL, refresh_lease_until = NULL`,
        's.refresh_lease_id = $3',
      ),
      [
        sessionId,
        failure.kind,
        leaseId,
        failure.status,
        failure.reason,
        failure.consecutiveFailures,
        failure.retryInMs === null ? null : failure.retryInMs / 1000,
      ],
    );
    return rows.length > 0;
  }

  async releaseLease(sessionId: number, leaseId: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE vinted_sessions SET refresh_lease_id = NULL, refresh_lease_until = NULL WHERE id = $1 AND refresh_lease_id = $2',
      [sessionId, leaseId],
    );
  }

  /** Re-encryption after a secret rotation; only if the row still holds what was read (a refresh may have won). */
  async replaceCiphertext(
    sessionId: number,
    expected: string,
    session: Pick<SealedSession, 'cookiesEncrypted' | 'keyId'>,
  ): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: number }[]>(
      // A session that was unreadable (its key missing) is readable again: back to active.
      updateWithStatusEvent(
        `cookies_encrypted = $4, key_id = $5,
         status = CASE WHEN s.status = 'requires_configuration' THEN 'active' ELSE s.status END,
         last_error = CASE WHEN s.status = 'requires_configuration' THEN NULL ELSE s.last_error END,
         last_error_kind = CASE WHEN s.status = 'requires_configuration' THEN NULL ELSE s.last_error_kind END`,
        's.cookies_encrypted = $3',
      ),
      [sessionId, null, expected, session.cookiesEncrypted, session.keyId],
    );
    return rows.length > 0;
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.dataSource.query<{ status: string; count: number }[]>(
      'SELECT status, count(*)::int AS count FROM vinted_sessions GROUP BY status',
    );
    return Object.fromEntries(rows.map((row) => [row.status, row.count]));
  }
}
