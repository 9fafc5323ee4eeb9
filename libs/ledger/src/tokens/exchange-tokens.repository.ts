import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ExchangeRequestView, TokenStatusView, toNumber } from '../ledger.types';

export interface LockedToken {
  userId: number;
  points: number;
  status: 'active' | 'used';
  /** Decided by the database clock, in the statement that locked the row. */
  expired: boolean;
}

export type HoldOutcome = { kind: 'held'; expiresAt: Date; now: Date } | { kind: 'short'; available: number };

interface StatusRow {
  token: string;
  seq: string;
  points: string;
  status: 'active' | 'used';
  expired: boolean;
  expires_at: Date;
  seconds_remaining: number;
}

/** The only place with SQL on `exchange_tokens` and `exchange_requests` (besides the sweep's set-based release). */
@Injectable()
export class ExchangeTokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Holds `points` and creates the token in one statement: a conditional UPDATE moves the points
   * from balance to held only if the balance covers them (concurrent holds re-check the latest
   * row, so they can never overdraw), and only then are the token (`expires_at` from the
   * database clock) and its `hold` entry written. `short` carries the balance when it does not.
   */
  async hold(
    manager: EntityManager,
    token: string,
    userId: number,
    points: number,
    ttlMs: number,
  ): Promise<HoldOutcome> {
    const rows = await manager.query<{ expires_at: Date | null; now: Date; available: string | null }[]>(
      `WITH held AS (
         UPDATE point_accounts SET balance = balance - $3, held = held + $3
         WHERE user_id = $2 AND balance >= $3 RETURNING user_id
       ), created AS (
         INSERT INTO exchange_tokens (token, user_id, points, expires_at)
         SELECT $1, user_id, $3, now() + $4 * interval '1 millisecond' FROM held RETURNING expires_at
       ), entry AS (
         INSERT INTO ledger_entries (user_id, type, points, token_id) SELECT user_id, 'hold', $3, $1 FROM held
       )
       SELECT created.expires_at, now() AS now, (SELECT balance FROM point_accounts WHERE user_id = $2) AS available
       FROM (SELECT 1) one LEFT JOIN created ON true`,
      [token, userId, points, ttlMs],
    );
    const row = rows[0];
    return row.expires_at === null
      ? { kind: 'short', available: toNumber(row.available) }
      : { kind: 'held', expiresAt: row.expires_at, now: row.now };
  }

  /**
   * Locks the token row and decides expiry in the same statement. A concurrent sweep skips the
   * locked row (SKIP LOCKED); if the sweep got it first, this waits for it and then finds no row.
   */
  async lockForValidation(manager: EntityManager, token: string): Promise<LockedToken | undefined> {
    const rows = await manager.query<
      { user_id: number; points: string; status: 'active' | 'used'; expired: boolean }[]
    >(
      `SELECT user_id, points, status, expires_at <= now() AS expired FROM exchange_tokens WHERE token = $1 FOR UPDATE`,
      [token],
    );
    const row = rows[0];
    return row && { userId: row.user_id, points: toNumber(row.points), status: row.status, expired: row.expired };
  }

  /** Points a release entry returned for this token: how a swept (deleted) token is still answered 410. */
  async releasedPoints(manager: EntityManager, token: string): Promise<number | undefined> {
    const rows = await manager.query<{ points: string }[]>(
      `SELECT points FROM ledger_entries WHERE token_id = $1 AND type = 'release'`,
      [token],
    );
    return rows[0] === undefined ? undefined : toNumber(rows[0].points);
  }

  /**
   * Redeems a token the caller has locked and found active: marks it used, takes its points out of
   * escrow, writes the `capture` entry and the exchange request, in one statement.
   */
  async capture(
    manager: EntityManager,
    token: string,
    customerId: number,
    vendorId: number,
    points: number,
  ): Promise<ExchangeRequestView> {
    const rows = await manager.query<{ id: string; created_at: Date; customer: string; vendor: string }[]>(
      `WITH used AS (
         UPDATE exchange_tokens SET status = 'used', used_at = now() WHERE token = $1 AND status = 'active' RETURNING token
       ), escrow AS (
         UPDATE point_accounts SET held = held - $4 WHERE user_id = $2 AND EXISTS (SELECT 1 FROM used)
       ), entry AS (
         INSERT INTO ledger_entries (user_id, type, points, token_id) SELECT $2, 'capture', $4, token FROM used
       ), request AS (
         INSERT INTO exchange_requests (token, customer_id, vendor_id, points) SELECT token, $2, $3, $4 FROM used RETURNING id, created_at
       )
       SELECT request.id, request.created_at, c.username AS customer, v.username AS vendor
       FROM request, users c, users v WHERE c.id = $2 AND v.id = $3`,
      [token, customerId, vendorId, points],
    );
    const row = rows[0];
    if (row === undefined) {
      // The caller holds the row lock and saw it active: reaching here means the books are wrong.
      throw new Error(`Token ${token.slice(0, 6)}… was not active when captured`);
    }
    return {
      id: toNumber(row.id),
      token,
      points,
      customer: row.customer,
      vendor: row.vendor,
      createdAt: row.created_at,
    };
  }

  /**
   * One status group of a user's tokens, most recent first, after `beforeSeq` (keyset on
   * `exchange_tokens_user_status_idx`, so thousands of used tokens cost nothing). Expiry is lazy:
   * an active row past `expires_at` shows `expired` even before the sweep deletes it.
   */
  async statusPage(
    userId: number,
    status: 'active' | 'used',
    limit: number,
    beforeSeq?: number,
  ): Promise<(TokenStatusView & { seq: number })[]> {
    const rows = await this.dataSource.query<StatusRow[]>(
      `SELECT token, seq, points, status, expires_at, status = 'active' AND expires_at <= now() AS expired,
              GREATEST(0, ceil(extract(epoch FROM expires_at - now())))::int AS seconds_remaining
       FROM exchange_tokens
       WHERE user_id = $1 AND status = $2 AND ($3::bigint IS NULL OR seq < $3::bigint)
       ORDER BY seq DESC LIMIT $4`,
      [userId, status, beforeSeq ?? null, limit],
    );
    return rows.map((row) => ({
      token: row.token,
      seq: toNumber(row.seq),
      points: toNumber(row.points),
      status: row.expired ? 'expired' : row.status,
      expiresAt: row.expires_at,
      secondsRemaining: row.status === 'active' && !row.expired ? row.seconds_remaining : 0,
    }));
  }
}
