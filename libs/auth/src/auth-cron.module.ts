import { SchedulingModule } from '@app/database';
import { Module } from '@nestjs/common';
import { AuthModule } from './auth.module';
import { StreamTicketsPurgeCron } from './stream-tickets/stream-tickets-purge.cron';
import { ThrottleCountersPurgeCron } from './throttle/throttle-counters-purge.cron';
import { RefreshTokenPurgeCron } from './tokens/refresh-token-purge.cron';

/**
 * Auth's scheduled jobs: the daily refresh-token purge and the minutely purges of expired throttle
 * counters and stream tickets. Import it only where `ScheduleModule.forRoot()` is (the API): the
 * CLI never runs crons.
 */
@Module({
  imports: [AuthModule, SchedulingModule],
  providers: [RefreshTokenPurgeCron, ThrottleCountersPurgeCron, StreamTicketsPurgeCron],
})
export class AuthCronModule {}
