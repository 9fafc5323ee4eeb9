import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A ticket as its one presentation found it. */
export interface TakenTicket {
  userId: number;
  stream: string;
  /** Not before the user's `tokens_valid_after` at issue time: a later revoke-all moves that past it. */
  issuedAt: Date;
  /** Not yet expired, on the database clock. */
  live: boolean;
}

/**
 * The only place with SQL on `stream_tickets`. Each method is one statement, so a ticket is
 * consumed once whatever the number of API processes and replicas presenting it at the same time:
 * the DELETE that finds the row takes it, any concurrent one waits on the row lock and finds nothing.
 */
@Injectable()
export class StreamTicketsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a ticket's hash for `userId`, expiring `ttlMs` from now (database time). `issued_at` is
   * never before the user's `tokens_valid_after`, as an access token's `iat` (TokensService.issue):
   * a ticket issued right after a revoke-all is not voided by it. False when the user is gone.
   */
  async insert(hash: Buffer, userId: number, stream: string, ttlMs: number): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `INSERT INTO stream_tickets (ticket_hash, user_id, stream, issued_at, expires_at)
       SELECT $1, id, $3, greatest(now(), coalesce(tokens_valid_after, now())),
              now() + make_interval(secs => $4::double precision / 1000)
         FROM users WHERE id = $2
       RETURNING 1`,
      [hash, userId, stream, ttlMs],
    );
    return rows.length === 1;
  }

  /** Deletes the ticket and returns what it was: a second presentation finds nothing. */
  async take(hash: Buffer): Promise<TakenTicket | undefined> {
    // A CTE, so the driver answers rows (a bare DELETE … RETURNING comes back as [rows, count]).
    const rows = await this.dataSource.query<TakenTicket[]>(
      `WITH taken AS (
         DELETE FROM stream_tickets WHERE ticket_hash = $1
         RETURNING user_id, stream, issued_at, expires_at > now() AS live
       ) SELECT user_id AS "userId", stream, issued_at AS "issuedAt", live FROM taken`,
      [hash],
    );
    return rows[0];
  }

  /** Deletes the expired tickets nobody presented; returns how many. */
  async purgeExpired(): Promise<number> {
    const rows = await this.dataSource.query<{ purged: number }[]>(
      `WITH purged AS (DELETE FROM stream_tickets WHERE expires_at <= now() RETURNING 1)
       SELECT count(*)::integer AS purged FROM purged`,
    );
    return rows[0].purged;
  }
}
