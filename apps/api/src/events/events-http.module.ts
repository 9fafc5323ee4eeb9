import { AuthModule } from '@app/auth';
import { LiveEventsModule } from '@app/events';
import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';

/** `GET /api/events/` (the user's own domain events, live) and its stream tickets. */
@Module({
  imports: [AuthModule, LiveEventsModule],
  controllers: [EventsController],
})
export class EventsHttpModule {}
