import { JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TokenRefreshScheduler } from './token-refresh-scheduler.service';

export const TOKEN_REFRESH_POLL_JOB = 'vinted-token-refresh-poll';

/**
 * How often each API replica asks the database whether a tick is due. The interval itself (1 to
 * 1440 minutes) is in the database and changes at run time, so a fixed short poll replaces a
 * timer per interval: a start, stop or new interval takes effect on every replica within this.
 */
export const SCHEDULER_POLL_MS = 10_000;

/**
 * The API's side of the scheduler: auto-start at boot and the poll. The poll runs on every
 * replica: `runDueTick` claims the tick itself (the CLI and the admin's endpoint go through it too).
 */
@Injectable()
export class TokenRefreshTickCron implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobScheduler,
    private readonly scheduler: TokenRefreshScheduler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.jobs.schedule({
      name: TOKEN_REFRESH_POLL_JOB,
      schedule: { everyMs: SCHEDULER_POLL_MS },
      replicas: 'every-process',
      run: async () => {
        await this.scheduler.runDueTick();
      },
    });
    await this.scheduler.autoStart();
  }
}
