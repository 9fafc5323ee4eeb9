import { Module } from '@nestjs/common';
import { AmqpEventFollower } from './amqp-event-follower';
import { EventsModule } from './events.module';

/**
 * Every domain event on this process's `LocalEventStream`, for live streams: with RabbitMQ, a
 * queue of its own on `hourglass.events`; embedded, the relay publishes there directly. The API
 * imports it; the worker and the CLI, which stream nothing, do not.
 */
@Module({
  imports: [EventsModule],
  providers: [AmqpEventFollower],
  exports: [EventsModule],
})
export class LiveEventsModule {}
