import { Injectable } from '@nestjs/common';
import { ThrottleCountersRepository } from './throttle-counters.repository';

/** A rate limit: at most `limit` hits per window of `ttlMs`; the hit past it blocks for `blockMs`. */
export interface ThrottleRule {
  ttlMs: number;
  limit: number;
  blockMs: number;
}

/** Where a key stands after a hit. Durations in whole seconds, rounded up. */
export interface ThrottleState {
  hits: number;
  blocked: boolean;
  secondsToWindowEnd: number;
  secondsToUnblock: number;
}

/**
 * Rate-limit counters shared by every process on the database (the credential throttle's store),
 * so a limit holds whatever the number of API processes and replicas, and survives restarts. A
 * window opens at a key's first hit; the hit past the limit is refused and blocks the key.
 */
@Injectable()
export class ThrottleCountersService {
  constructor(private readonly counters: ThrottleCountersRepository) {}

  async hit(key: string, { ttlMs, limit, blockMs }: ThrottleRule): Promise<ThrottleState> {
    const row = await this.counters.hit(key, ttlMs, limit, blockMs);
    return {
      hits: row.hits,
      blocked: row.blocked,
      secondsToWindowEnd: row.expires_in,
      secondsToUnblock: row.unblocks_in,
    };
  }

  /** Deletes the counters whose window and block are over; returns how many. */
  purgeExpired(): Promise<number> {
    return this.counters.purgeExpired();
  }
}
