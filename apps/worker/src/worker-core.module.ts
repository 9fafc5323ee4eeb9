import { Module } from '@nestjs/common';
import { WorkerHeartbeat } from './worker-heartbeat.service';

/**
 * What a WhatsApp node runs: its command consumers and heartbeat. Hosted by the worker process
 * (`nest start worker`) or, with the in-process bus, by the API process itself.
 */
@Module({
  providers: [WorkerHeartbeat],
})
export class WorkerCoreModule {}
