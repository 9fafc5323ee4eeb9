import { WhatsappCronModule, WhatsappNumbersModule } from '@app/whatsapp';
import { Module } from '@nestjs/common';
import { WhatsappController } from './whatsapp.controller';
import { WhatsappEventsConsumer } from './whatsapp-events.consumer';

/** The WhatsApp endpoints, the consumer of `whatsapp.worker.events` and the purge of streamed events. */
@Module({
  imports: [WhatsappNumbersModule, WhatsappCronModule],
  controllers: [WhatsappController, WhatsappEventsConsumer],
})
export class WhatsappHttpModule {}
