import { ThrottleCountersService } from '@app/auth';
import { ThrottlerStorage } from '@nestjs/throttler';

/** The library does not export the record's type by name. */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * `@nestjs/throttler`'s storage on the auth lib's shared counters (PostgreSQL, or the embedded
 * PGlite with the same SQL): every API process and replica counts in the same rows, so the limit
 * is the same whatever their number. The guard's key already names the endpoint, the throttler
 * and the tracker.
 */
export class DatabaseThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly counters: ThrottleCountersService) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    const state = await this.counters.hit(key, { ttlMs: ttl, limit, blockMs: blockDuration });
    return {
      totalHits: state.hits,
      timeToExpire: state.secondsToWindowEnd,
      isBlocked: state.blocked,
      timeToBlockExpire: state.secondsToUnblock,
    };
  }
}
