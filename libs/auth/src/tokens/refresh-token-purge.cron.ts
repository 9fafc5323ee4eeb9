import { JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CronExpression } from '@nestjs/schedule';
import { TokensService } from './tokens.service';

export const REFRESH_TOKEN_PURGE_JOB = 'refresh-token-purge';

/** Daily purge of expired refresh tokens (simplejwt's `flushexpiredtokens`), one replica per run. */
@Injectable()
export class RefreshTokenPurgeCron implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobScheduler,
    private readonly tokens: TokensService,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule({
      name: REFRESH_TOKEN_PURGE_JOB,
      schedule: { cron: CronExpression.EVERY_DAY_AT_3AM },
      replicas: 'one-at-a-time',
      run: async () => `Purged ${await this.tokens.flushExpired()} expired refresh token(s)`,
    });
  }
}
