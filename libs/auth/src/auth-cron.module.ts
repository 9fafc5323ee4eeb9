import { SchedulingModule } from '@app/database';
import { Module } from '@nestjs/common';
import { AuthModule } from './auth.module';
import { ThrottleCountersPurgeCron } from './throttle/throttle-counters-purge.cron';
import { RefreshTokenPurgeCron } from './tokens/refresh-token-purge.cron';

/**
 * Auth's scheduled jobs: the daily refresh-token purge and the minutely purge of expired throttle
 * counters. Import it only where `ScheduleModule.forRoot()` is (the API): the CLI never runs crons.
 */
@Module({
  imports: [AuthModule, SchedulingModule],
  providers: [RefreshTokenPurgeCron, ThrottleCountersPurgeCron],
})
export class AuthCronModule {}
