import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A hit held on a counter, as the database clock saw it. */
export interface CounterHit {
  key: string;
  /** The hits of the window, this one included (failures plus attempts still in flight). */
  hits: number;
  /** The window the hit is in (its end, as text: exact to the microsecond); refunds and blocks name it. */
  window: string;
  /** Blocked, or more than `limit` hits with this one. */
  over: boolean;
  /** Whole seconds, rounded up, until the window ends. */
  windowEndsIn: number;
}

/** A counter hit of an attempt that is over, with the limit that blocks its counter. */
export interface SettledHit {
  key: string;
  window: string;
  limit: number;
}

/** A row's window is over, or its block is: the next hit opens a new window. */
const STALE = 'c.window_ends_at <= now() OR coalesce(c.blocked_until <= now(), false)';
const BLOCKED = 'coalesce(c.blocked_until > now(), false)';

/**
 * The only place with SQL on `throttle_counters`: one row per counter (the credential throttle's
 * hash of action, counter and subject), on the database clock, shared by every API process and
 * replica. Each method is one statement: a hit is an upsert whose branches read the row as it was
 * before it, so concurrent hits from any number of processes serialise on the row lock and each
 * sees the count the previous one left.
 */
@Injectable()
export class ThrottleCountersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes one hit on `key` before the attempt is checked:
   * - no row, window over or block over: a new window of `ttlMs` holding this hit;
   * - `refuse` and (blocked, or `limit` hits already): nothing changes, `undefined` (refused);
   * - else one more hit (a hit past `limit` on a counter that does not refuse comes back `over`).
   * `now()` is the statement's start: a hit that waited for another's row lock reads a clock from
   * before that one's, so the seconds it reports are capped at `ttlMs`.
   */
  async hit(key: string, limit: number, ttlMs: number, refuse: boolean): Promise<CounterHit | undefined> {
    const rows = await this.dataSource.query<Omit<CounterHit, 'key'>[]>(
      `INSERT INTO throttle_counters AS c (key, hits, window_ends_at)
       VALUES ($1, 1, now() + make_interval(secs => $3::double precision / 1000))
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN ${STALE} THEN 1 ELSE c.hits + 1 END,
         window_ends_at = CASE WHEN ${STALE} THEN EXCLUDED.window_ends_at ELSE c.window_ends_at END,
         blocked_until = CASE WHEN ${BLOCKED} THEN c.blocked_until END
       WHERE NOT ($4::boolean AND (${BLOCKED} OR (NOT (${STALE}) AND c.hits >= $2::integer)))
       RETURNING hits,
                 window_ends_at::text AS "window",
                 coalesce(blocked_until > now(), false) OR hits > $2::integer AS over,
                 least(greatest(ceil(extract(epoch FROM window_ends_at - now())), 0),
                       ceil($3::double precision / 1000))::integer AS "windowEndsIn"`,
      [key, limit, ttlMs, refuse],
    );
    return rows.length === 0 ? undefined : { key, ...rows[0] };
  }

  /** Whole seconds, rounded up and capped at `blockMs`, until `key`'s block ends; `undefined` when not blocked. */
  async secondsToUnblock(key: string, blockMs: number): Promise<number | undefined> {
    const rows = await this.dataSource.query<{ seconds: number }[]>(
      `SELECT least(greatest(ceil(extract(epoch FROM blocked_until - now())), 1),
                    ceil($2::double precision / 1000))::integer AS seconds
         FROM throttle_counters WHERE key = $1 AND blocked_until > now()`,
      [key, blockMs],
    );
    return rows[0]?.seconds;
  }

  /** Gives hits back (attempts that succeeded or checked nothing); a hit whose window is over is gone already. */
  async refund(hits: Pick<CounterHit, 'key' | 'window'>[]): Promise<void> {
    if (hits.length === 0) {
      return;
    }
    await this.dataSource.query(
      `UPDATE throttle_counters AS c SET hits = c.hits - 1
         FROM unnest($1::text[], $2::timestamptz[]) AS r(key, window_end)
        WHERE c.key = r.key AND c.window_ends_at = r.window_end AND c.hits > 0`,
      [hits.map((hit) => hit.key), hits.map((hit) => hit.window)],
    );
  }

  /** Forgets these counters altogether (a client that proved its credentials). */
  async reset(keys: string[]): Promise<void> {
    if (keys.length === 0) {
      return;
    }
    await this.dataSource.query('DELETE FROM throttle_counters WHERE key = ANY($1::text[])', [keys]);
  }

  /**
   * Keeps the hits of failed attempts; a counter that holds `limit` hits or more in that window is
   * blocked for `blockMs` from now (a later failure pushes the block further). Returns the keys
   * this call filled, i.e. blocked at exactly `limit` hits.
   */
  async blockFull(hits: SettledHit[], blockMs: number): Promise<string[]> {
    if (hits.length === 0) {
      return [];
    }
    const rows = await this.dataSource.query<{ key: string; filled: boolean }[]>(
      `UPDATE throttle_counters AS c
          SET blocked_until = now() + make_interval(secs => $4::double precision / 1000)
         FROM unnest($1::text[], $2::timestamptz[], $3::integer[]) AS r(key, window_end, hit_limit)
        WHERE c.key = r.key AND c.window_ends_at = r.window_end AND c.hits >= r.hit_limit
        RETURNING c.key, c.hits = r.hit_limit AS filled`,
      [hits.map((hit) => hit.key), hits.map((hit) => hit.window), hits.map((hit) => hit.limit), blockMs],
    );
    return rows.filter((row) => row.filled).map((row) => row.key);
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
