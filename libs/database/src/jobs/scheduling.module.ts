import { Module } from '@nestjs/common';
import { JobScheduler } from './job-scheduler.service';

/**
 * Provides `JobScheduler` to the `*.cron.ts` adapters of a lib's cron module. The root module of
 * a process that runs schedules (API, worker) imports `ScheduleModule.forRoot()`; the CLI does not.
 */
@Module({
  providers: [JobScheduler],
  exports: [JobScheduler],
})
export class SchedulingModule {}
