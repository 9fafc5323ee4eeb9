import { JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CronExpression } from '@nestjs/schedule';
import { CredentialThrottleService } from './credential-throttle.service';

export const THROTTLE_COUNTERS_PURGE_JOB = 'throttle-counters-purge';

/** Deletes the throttle counters that no longer count, every minute, one replica per run. */
@Injectable()
export class ThrottleCountersPurgeCron implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobScheduler,
    private readonly throttle: CredentialThrottleService,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule({
      name: THROTTLE_COUNTERS_PURGE_JOB,
      schedule: { cron: CronExpression.EVERY_MINUTE },
      replicas: 'one-at-a-time',
      run: async () => {
        const purged = await this.throttle.purgeExpired();
        return purged > 0 ? `Purged ${purged} expired throttle counter(s)` : undefined;
      },
    });
  }
}
