import { SchedulingModule } from '@app/database';
import { Module } from '@nestjs/common';
import { TokenRefreshTickCron } from './scheduler/token-refresh-tick.cron';
import { VintedSessionBootstrap } from './sessions/vinted-session-bootstrap';
import { VintedModule } from './vinted.module';

/**
 * Vinted's scheduled job and the start-up work that goes with it: the scheduler's auto-start and
 * poll, and VINTED_SESSION stored at start. Import it only where `ScheduleModule.forRoot()` is
 * (the API): the CLI never runs crons.
 */
@Module({
  imports: [VintedModule, SchedulingModule],
  providers: [TokenRefreshTickCron, VintedSessionBootstrap],
})
export class VintedCronModule {}
