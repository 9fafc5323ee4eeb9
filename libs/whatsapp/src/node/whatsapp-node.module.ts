import { Module } from '@nestjs/common';
import { WhatsappWorkerModule } from '../whatsapp-worker.module';
import { WhatsappCommandsConsumer } from './whatsapp-commands.consumer';
import { WorkerHeartbeat } from './worker-heartbeat.service';

/**
 * What a WhatsApp node runs: its command consumers and heartbeat, on top of the session manager.
 * Hosted by the worker process (`nest start worker`) or, with the in-process bus, by the API
 * process itself; either way its bus server listens on `workerQueues(config)`.
 */
@Module({
  imports: [WhatsappWorkerModule],
  controllers: [WhatsappCommandsConsumer],
  providers: [WorkerHeartbeat],
})
export class WhatsappNodeModule {}
