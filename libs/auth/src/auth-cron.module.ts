import { SchedulingModule } from '@app/database';
import { Module } from '@nestjs/common';
import { AuthModule } from './auth.module';
import { RefreshTokenPurgeCron } from './tokens/refresh-token-purge.cron';

/**
 * Auth's scheduled job: the daily refresh-token purge. Import it only where
 * `ScheduleModule.forRoot()` is (the API): the CLI never runs crons.
 */
@Module({
  imports: [AuthModule, SchedulingModule],
  providers: [RefreshTokenPurgeCron],
})
export class AuthCronModule {}
