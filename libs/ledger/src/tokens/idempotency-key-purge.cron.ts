import { JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CronExpression } from '@nestjs/schedule';
import { ExchangeTokensService } from './exchange-tokens.service';

export const IDEMPOTENCY_KEY_PURGE_JOB = 'idempotency-key-purge';

/** Hourly purge of idempotency keys past their retention, one replica per run. */
@Injectable()
export class IdempotencyKeyPurgeCron implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobScheduler,
    private readonly tokens: ExchangeTokensService,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule({
      name: IDEMPOTENCY_KEY_PURGE_JOB,
      schedule: { cron: CronExpression.EVERY_HOUR },
      replicas: 'one-at-a-time',
      run: async () => {
        const purged = await this.tokens.purgeExpiredIdempotencyKeys();
        return purged > 0 ? `Purged ${purged} idempotency key(s) older than 24 hours` : undefined;
      },
    });
  }

  /** One purge now, as the hourly tick runs it. */
  purge(): Promise<void> {
    return this.jobs.run(IDEMPOTENCY_KEY_PURGE_JOB);
  }
}
