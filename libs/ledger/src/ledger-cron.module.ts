import { SchedulingModule } from '@app/database';
import { Module } from '@nestjs/common';
import { LedgerModule } from './ledger.module';
import { ExpirySweepCron } from './sweep/expiry-sweep.cron';
import { IdempotencyKeyPurgeCron } from './tokens/idempotency-key-purge.cron';

/**
 * The ledger's scheduled jobs: the expiry sweep on EXCHANGE_EXPIRY_CRON and the hourly
 * idempotency-key purge. Import it only where `ScheduleModule.forRoot()` is (the API): the CLI
 * never runs crons.
 */
@Module({
  imports: [LedgerModule, SchedulingModule],
  providers: [ExpirySweepCron, IdempotencyKeyPurgeCron],
})
export class LedgerCronModule {}
