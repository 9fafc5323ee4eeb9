import { AuthModule } from '@app/auth';
import { WhatsappCronModule, WhatsappNumbersModule } from '@app/whatsapp';
import { Module } from '@nestjs/common';
import { WhatsappController } from './whatsapp.controller';
import { WhatsappEventsConsumer } from './whatsapp-events.consumer';

/**
 * The WhatsApp endpoints (their event streams let stream tickets in), the consumer of
 * `whatsapp.worker.events` and the purge of streamed events.
 */
@Module({
  imports: [AuthModule, WhatsappNumbersModule, WhatsappCronModule],
  controllers: [WhatsappController, WhatsappEventsConsumer],
})
export class WhatsappHttpModule {}
