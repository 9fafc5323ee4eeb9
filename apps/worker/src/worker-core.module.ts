import { WhatsappWorkerModule } from '@app/whatsapp';
import { Module } from '@nestjs/common';
import { WhatsappCommandsConsumer } from './consumers/whatsapp-commands.consumer';
import { WorkerHeartbeat } from './worker-heartbeat.service';

/**
 * What a WhatsApp node runs: its command consumers and heartbeat. Hosted by the worker process
 * (`nest start worker`) or, with the in-process bus, by the API process itself.
 */
@Module({
  imports: [WhatsappWorkerModule],
  controllers: [WhatsappCommandsConsumer],
  providers: [WorkerHeartbeat],
})
export class WorkerCoreModule {}
