import { EventsModule } from '@app/events';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WhatsappLiveEventsService } from './whatsapp-live-events.service';
import { WhatsappNumberEntity } from './whatsapp-number.entity';
import { WhatsappNumbersRepository } from './whatsapp-numbers.repository';
import { WhatsappNumbersService } from './whatsapp-numbers.service';
import { WhatsappWorkersRepository } from './whatsapp-workers.repository';
import { WorkerRegistry } from './worker-registry.service';

/** The API side of number validation. Needs the global Config, Database and Messaging modules. */
@Module({
  imports: [TypeOrmModule.forFeature([WhatsappNumberEntity]), EventsModule],
  providers: [
    WhatsappNumbersRepository,
    WhatsappWorkersRepository,
    WhatsappLiveEventsService,
    WorkerRegistry,
    WhatsappNumbersService,
  ],
  exports: [WhatsappNumbersService, WorkerRegistry],
})
export class WhatsappNumbersModule {}
