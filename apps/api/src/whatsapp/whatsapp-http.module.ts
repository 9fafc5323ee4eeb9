import { WhatsappNumbersModule } from '@app/whatsapp';
import { Module } from '@nestjs/common';
import { WhatsappController } from './whatsapp.controller';
import { WhatsappEventsConsumer } from './whatsapp-events.consumer';

/** The WhatsApp endpoints and the consumer of `whatsapp.worker.events`. */
@Module({
  imports: [WhatsappNumbersModule],
  controllers: [WhatsappController, WhatsappEventsConsumer],
})
export class WhatsappHttpModule {}
