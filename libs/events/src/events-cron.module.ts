import { SchedulingModule } from '@app/database';
import { Module } from '@nestjs/common';
import { EventsModule } from './events.module';
import { OutboxPurgeCron } from './outbox-purge.cron';
import { OutboxRelayCron } from './outbox-relay.cron';

/** The relay (every EVENTS_RELAY_INTERVAL, and on NOTIFY) and the purge. The API imports it. */
@Module({
  imports: [EventsModule, SchedulingModule],
  providers: [OutboxRelayCron, OutboxPurgeCron],
})
export class EventsCronModule {}
