import { AppConfig } from '@app/config';
import { Database } from '@app/database';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { ExpirySweeper } from './expiry-sweeper.service';

export const EXPIRY_SWEEP_JOB = 'exchange-token-expiry';

/**
 * Runs the expiry sweep on EXCHANGE_EXPIRY_CRON (every second by default). Registered by hand
 * rather than with `@Cron` because the expression comes from the injected configuration. Every
 * replica ticks; `runExclusive` lets one of them sweep at a time and `claimTick` gives each tick
 * (a second of the database clock) to one replica only: `sweep_runs` holds at most one cron row
 * per tick, which a unique index enforces. Only the API hosts it (LedgerCronModule): the CLI never runs crons.
 */
@Injectable()
export class ExpirySweepCron implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ExpirySweepCron.name);
  private job?: CronJob;
  private running?: Promise<void>;

  constructor(
    private readonly config: AppConfig,
    private readonly database: Database,
    private readonly sweeper: ExpirySweeper,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.job = CronJob.from({ cronTime: this.config.EXCHANGE_EXPIRY_CRON, onTick: () => this.tick(), start: false });
    this.registry.addCronJob(EXPIRY_SWEEP_JOB, this.job);
    this.job.start();
  }

  /** Stops ticking and lets a sweep in flight finish before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.job !== undefined) {
      await this.job.stop();
      this.registry.deleteCronJob(EXPIRY_SWEEP_JOB);
      this.job = undefined;
    }
    await this.running;
  }

  /** One tick; never throws (a failed sweep is logged and the next tick tries again). */
  tick(): Promise<void> {
    if (this.running !== undefined) {
      return this.running;
    }
    this.running = this.database
      .runExclusive(EXPIRY_SWEEP_JOB, async () => {
        // Another replica whose timer fired a moment earlier may already have run this tick.
        const tick = await this.database.claimTick(EXPIRY_SWEEP_JOB);
        if (tick !== undefined) {
          await this.sweeper.sweep({ trigger: 'cron', tick });
        }
      })
      .then(
        () => undefined,
        (error: unknown) => this.logger.error({ err: error }, 'Expiry sweep failed'),
      )
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
