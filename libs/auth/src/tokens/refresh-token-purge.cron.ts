import { Database } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { TokensService } from './tokens.service';

/** Daily purge of expired refresh tokens (simplejwt's `flushexpiredtokens`), one replica per run. */
@Injectable()
export class RefreshTokenPurgeCron {
  private readonly logger = new Logger(RefreshTokenPurgeCron.name);

  constructor(
    private readonly database: Database,
    private readonly tokens: TokensService,
  ) {}

  @Cron(CronExpression.EVERY_DAY_AT_3AM, { name: 'refresh-token-purge' })
  async purge(): Promise<void> {
    try {
      const outcome = await this.database.runExclusive('refresh-token-purge', () => this.tokens.flushExpired());
      if (outcome.ran) {
        this.logger.log(`Purged ${outcome.result} expired refresh token(s)`);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'Refresh token purge failed');
    }
  }
}
