import { Database } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';

/** How long a token creation's Idempotency-Key is remembered (Stripe's window). */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 3_600_000;

/** Hourly purge of idempotency keys past their retention, one replica per run. */
@Injectable()
export class IdempotencyKeyPurgeCron {
  private readonly logger = new Logger(IdempotencyKeyPurgeCron.name);

  constructor(
    private readonly database: Database,
    private readonly keys: IdempotencyKeysRepository,
  ) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'idempotency-key-purge' })
  async purge(): Promise<void> {
    try {
      const outcome = await this.database.runExclusive('idempotency-key-purge', () =>
        this.database.transaction((manager) => this.keys.purgeOlderThan(manager, IDEMPOTENCY_KEY_RETENTION_MS)),
      );
      if (outcome.ran && outcome.result > 0) {
        this.logger.log(`Purged ${outcome.result} idempotency key(s) older than 24 hours`);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'Idempotency key purge failed');
    }
  }
}
