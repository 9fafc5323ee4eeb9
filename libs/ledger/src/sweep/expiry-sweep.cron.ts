import { AppConfig } from '@app/config';
import { JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ExpirySweeper } from './expiry-sweeper.service';

export const EXPIRY_SWEEP_JOB = 'exchange-token-expiry';

/**
 * Runs the expiry sweep on EXCHANGE_EXPIRY_CRON (every second by default). Every replica ticks;
 * one sweeps at a time and each tick (a second of the database clock) goes to one replica only:
 * `sweep_runs` holds at most one cron row per tick, which a unique index enforces. A sweep in
 * flight finishes before the database closes (JobScheduler).
 */
@Injectable()
export class ExpirySweepCron implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobScheduler,
    private readonly sweeper: ExpirySweeper,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule({
      name: EXPIRY_SWEEP_JOB,
      schedule: { cron: this.config.EXCHANGE_EXPIRY_CRON },
      replicas: 'one-per-tick',
      run: async ({ tick }) => {
        await this.sweeper.sweep({ trigger: 'cron', tick });
      },
    });
  }
}
