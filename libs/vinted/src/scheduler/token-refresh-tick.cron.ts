import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { TokenRefreshScheduler } from './token-refresh-scheduler.service';

/**
 * How often each API replica asks the database whether a tick is due. The interval itself (1 to
 * 1440 minutes) is in the database and changes at run time, so a fixed short poll replaces a
 * timer per interval: a start, stop or new interval takes effect on every replica within this.
 */
export const SCHEDULER_POLL_MS = 10_000;

/** The API's side of the scheduler: auto-start at boot and the poll. Never part of the CLI. */
@Injectable()
export class TokenRefreshTickCron implements OnApplicationBootstrap {
  private readonly logger = new Logger('TokenRefreshScheduler');

  constructor(private readonly scheduler: TokenRefreshScheduler) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.scheduler.autoStart();
  }

  @Interval('vinted-token-refresh-poll', SCHEDULER_POLL_MS)
  async poll(): Promise<void> {
    try {
      await this.scheduler.runDueTick();
    } catch (error) {
      this.logger.error(`Tick failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
