import { SchedulingModule } from '@app/database';
import { Module } from '@nestjs/common';
import { WhatsappWorkerModule } from '../whatsapp-worker.module';
import { WhatsappCommandsConsumer } from './whatsapp-commands.consumer';
import { WorkerHeartbeatCron } from './worker-heartbeat.cron';
import { WorkerHeartbeat } from './worker-heartbeat.service';

/**
 * What a WhatsApp node runs: its command consumers and heartbeat, on top of the session manager.
 * Hosted by the worker process (`nest start worker`) or, with the in-process bus, by the API
 * process itself; either way its bus server listens on `workerQueues(config)`, and the root
 * module imports `ScheduleModule.forRoot()` for the heartbeat.
 */
@Module({
  imports: [WhatsappWorkerModule, SchedulingModule],
  controllers: [WhatsappCommandsConsumer],
  providers: [WorkerHeartbeat, WorkerHeartbeatCron],
})
export class WhatsappNodeModule {}
