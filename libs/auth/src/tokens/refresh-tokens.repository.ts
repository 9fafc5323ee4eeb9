import { createHash } from 'node:crypto';
import { FamilyRevocationReason, OUTBOX_COLUMNS } from '@app/events';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** A stored refresh token as the rotation logic sees it; times are judged by the database. */
export interface StoredRefreshToken {
  jti: string;
  familyId: string;
  userId: number;
  replacedBy: string | null;
  successorToken: string | null;
  used: boolean;
  revoked: boolean;
  expired: boolean;
  /** Rotated no longer ago than the grace period asked for. */
  inGrace: boolean;
}

export interface NewRefreshToken {
  jti: string;
  token: string;
  familyId: string;
  parentJti: string | null;
  userId: number;
  expiresAt: Date;
}

const COLUMNS = `jti, family_id AS "familyId", user_id AS "userId", replaced_by AS "replacedBy",
  successor_token AS "successorToken", used_at IS NOT NULL AS used, revoked_at IS NOT NULL AS revoked,
  expires_at <= now() AS expired`;

/** TypeORM answers an UPDATE or DELETE on PostgreSQL with `[rows, rowCount]`, a SELECT with rows. */
async function modify<T = unknown>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<T[]> {
  const result = await manager.query<[T[], number] | T[]>(sql, parameters);
  return Array.isArray(result[0]) ? result[0] : (result as T[]);
}

/**
 * Wraps an UPDATE that revokes refresh tokens (`… RETURNING family_id, user_id`) so that the same
 * statement writes one `auth.family.revoked` event per family it revoked ($N the reason): an event
 * exists exactly when its revocation committed. It names the family by its id, never a token.
 */
function revokingWithEvents(update: string, reasonParameter: number): string {
  return `WITH revoked AS (${update}), events AS (
      INSERT INTO ${OUTBOX_COLUMNS}
      SELECT DISTINCT 'refresh_family', family_id::text, 'auth.family.revoked', 'refresh-families/' || family_id,
             jsonb_build_object('userId', user_id, 'familyId', family_id, 'reason', $${reasonParameter}::text)
      FROM revoked
    ) SELECT jti FROM revoked`;
}

/** SHA-256 hex: the only form in which a refresh token reaches the database. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The only place with SQL on `refresh_tokens`. Pass the `manager` of a `Database.transaction`
 * to take part in it. Every expiry comparison uses the database's `now()`.
 */
@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(token: NewRefreshToken, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `INSERT INTO refresh_tokens (jti, token_hash, family_id, parent_jti, user_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [token.jti, hashToken(token.token), token.familyId, token.parentJti, token.userId, token.expiresAt],
    );
  }

  /**
   * Marks the token used if it is live, atomically: of two concurrent callers exactly one gets
   * the row (the other waits on the row lock, then finds `used_at` set).
   */
  async claimForRotation(token: string, manager: EntityManager): Promise<StoredRefreshToken | undefined> {
    const rows = await modify<StoredRefreshToken>(
      manager,
      `UPDATE refresh_tokens SET used_at = now()
       WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
       RETURNING ${COLUMNS}, false AS "inGrace"`,
      [hashToken(token)],
    );
    return rows[0];
  }

  /**
   * The row of `token`, with whether it was rotated within the grace period. The window is
   * measured with `clock_timestamp()`, not `now()`: `now()` is when this transaction began, which
   * can be before a concurrent rotation committed its `used_at`, and would wrongly put that
   * rotation inside even a zero-length window.
   */
  async find(
    token: string,
    graceMs: number,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<StoredRefreshToken | undefined> {
    const rows = await manager.query<StoredRefreshToken[]>(
      `SELECT ${COLUMNS}, (used_at IS NOT NULL AND used_at > clock_timestamp() - make_interval(secs => $2)) AS "inGrace"
       FROM refresh_tokens WHERE token_hash = $1`,
      [hashToken(token), graceMs / 1000],
    );
    return rows[0];
  }

  async findByJti(jti: string, manager: EntityManager): Promise<StoredRefreshToken | undefined> {
    const rows = await manager.query<StoredRefreshToken[]>(
      `SELECT ${COLUMNS}, false AS "inGrace" FROM refresh_tokens WHERE jti = $1`,
      [jti],
    );
    return rows[0];
  }

  async setSuccessor(
    jti: string,
    successorJti: string,
    sealedSuccessor: string,
    manager: EntityManager,
  ): Promise<void> {
    await manager.query('UPDATE refresh_tokens SET replaced_by = $2, successor_token = $3 WHERE jti = $1', [
      jti,
      successorJti,
      sealedSuccessor,
    ]);
  }

  /** Revokes a live token (logout), which ends its family; false if it was not live. */
  async revoke(token: string, manager: EntityManager): Promise<boolean> {
    const reason: FamilyRevocationReason = 'logout';
    const rows = await modify(
      manager,
      revokingWithEvents(
        `UPDATE refresh_tokens SET revoked_at = now(), successor_token = NULL
         WHERE token_hash = $1 AND revoked_at IS NULL AND used_at IS NULL RETURNING jti, family_id, user_id`,
        2,
      ),
      [hashToken(token), reason],
    );
    return rows.length > 0;
  }

  /** Revokes every token of a family (reuse detected, or a logout with a rotated token); returns how many were still unrevoked. */
  async revokeFamily(
    familyId: string,
    reason: Extract<FamilyRevocationReason, 'reuse' | 'logout'>,
    manager: EntityManager,
  ): Promise<number> {
    const rows = await modify(
      manager,
      revokingWithEvents(
        `UPDATE refresh_tokens SET revoked_at = now(), successor_token = NULL
         WHERE family_id = $1 AND revoked_at IS NULL RETURNING jti, family_id, user_id`,
        2,
      ),
      [familyId, reason],
    );
    return rows.length;
  }

  /** Revokes every live token of the user (`revoke_all` or `password_change`); returns how many. */
  async revokeAllForUser(
    userId: number,
    reason: Extract<FamilyRevocationReason, 'revoke_all' | 'password_change'>,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<number> {
    const rows = await modify(
      manager,
      revokingWithEvents(
        `UPDATE refresh_tokens SET revoked_at = now(), successor_token = NULL
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING jti, family_id, user_id`,
        2,
      ),
      [userId, reason],
    );
    return rows.length;
  }

  /** Deletes expired rows and wipes encrypted successors whose grace window is over. */
  async purgeExpired(graceMs: number): Promise<number> {
    await this.dataSource.query(
      `UPDATE refresh_tokens SET successor_token = NULL
       WHERE successor_token IS NOT NULL AND used_at < now() - make_interval(secs => $1)`,
      [graceMs / 1000],
    );
    const rows = await modify(
      this.dataSource.manager,
      'DELETE FROM refresh_tokens WHERE expires_at <= now() RETURNING jti',
      [],
    );
    return rows.length;
  }
}
