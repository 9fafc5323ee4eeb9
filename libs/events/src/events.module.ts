import { Module } from '@nestjs/common';
import { EventsMetrics } from './events-metrics';
import { LocalEventStream } from './local-event-stream';
import { OutboxRelay } from './outbox-relay.service';
import { OutboxRepository } from './outbox.repository';

/**
 * The outbox: `OutboxRepository.append` for the services that write events in their own
 * transactions, the relay and the local event stream. The libs that write events import it (one
 * instance per application). Needs `ConfigModule.forRoot` and `DatabaseModule.forRoot`. Schedules
 * nothing: the API also imports `EventsCronModule`.
 */
@Module({
  providers: [OutboxRepository, OutboxRelay, LocalEventStream, EventsMetrics],
  exports: [OutboxRepository, OutboxRelay, LocalEventStream],
})
export class EventsModule {}
