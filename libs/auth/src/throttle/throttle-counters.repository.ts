import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A counter after one hit, as the database clock sees it. */
export interface ThrottleCounterRow {
  hits: number;
  blocked: boolean;
  /** Whole seconds, rounded up, until the window ends (0 once it has). */
  expires_in: number;
  /** Whole seconds, rounded up, until the block ends (0 when not blocked). */
  unblocks_in: number;
}

/**
 * The only place with SQL on `throttle_counters`. A hit is one statement — an upsert whose every
 * branch reads the row as it was before this hit — so concurrent hits from any number of
 * processes serialise on the row lock and each sees the count the previous one left.
 */
@Injectable()
export class ThrottleCountersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Counts one hit of `key`, on the database clock:
   * - blocked (`blocked_until` ahead): not counted, still blocked;
   * - no row, window over, or block over: a new window of `ttlMs` holding this hit;
   * - else one more hit; past `limit` the key is blocked for `blockMs` (this hit is refused).
   * `now()` is the statement's start: a hit that waited for another's row lock reads a clock from
   * before that one's, so the seconds it reports are capped at `ttlMs` and `blockMs`.
   */
  async hit(key: string, ttlMs: number, limit: number, blockMs: number): Promise<ThrottleCounterRow> {
    const rows = await this.dataSource.query<ThrottleCounterRow[]>(
      `INSERT INTO throttle_counters AS c (key, hits, window_ends_at, blocked_until)
       VALUES ($1, 1, now() + make_interval(secs => $2::double precision / 1000),
               CASE WHEN 1 > $3::integer THEN now() + make_interval(secs => $4::double precision / 1000) END)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN c.blocked_until > now() THEN c.hits
                     WHEN c.blocked_until <= now() OR c.window_ends_at <= now() THEN EXCLUDED.hits
                     ELSE c.hits + 1 END,
         window_ends_at = CASE WHEN c.blocked_until > now() THEN c.window_ends_at
                               WHEN c.blocked_until <= now() OR c.window_ends_at <= now() THEN EXCLUDED.window_ends_at
                               ELSE c.window_ends_at END,
         blocked_until = CASE WHEN c.blocked_until > now() THEN c.blocked_until
                              WHEN c.blocked_until <= now() OR c.window_ends_at <= now() THEN EXCLUDED.blocked_until
                              WHEN c.hits + 1 > $3::integer THEN now() + make_interval(secs => $4::double precision / 1000)
                              END
       RETURNING hits,
                 coalesce(blocked_until > now(), false) AS blocked,
                 least(greatest(ceil(extract(epoch FROM window_ends_at - now())), 0),
                       ceil($2::double precision / 1000))::integer AS expires_in,
                 least(greatest(ceil(extract(epoch FROM coalesce(blocked_until, now()) - now())), 0),
                       ceil($4::double precision / 1000))::integer AS unblocks_in`,
      [key, ttlMs, limit, blockMs],
    );
    return rows[0];
  }

  /** Deletes the counters that no longer count (window and block both over); returns how many. */
  async purgeExpired(): Promise<number> {
    const rows = await this.dataSource.query<{ purged: number }[]>(
      `WITH purged AS (
         DELETE FROM throttle_counters WHERE GREATEST(window_ends_at, blocked_until) <= now() RETURNING 1
       ) SELECT count(*)::integer AS purged FROM purged`,
    );
    return rows[0].purged;
  }
}
