import { AuthenticatedUser, StreamTicketsService } from '@app/auth';
import { AppConfig } from '@app/config';
import { CloudEvent, LocalEventStream, concernsUser } from '@app/events';
import { Controller, HttpCode, MessageEvent, Post, Sse } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { AcceptsStreamTicket, Authenticated, CurrentUser } from '../auth/guard';
import { withKeepAlive } from '../http/event-stream';
import { StreamTicketDto } from '../http/stream-ticket.dto';

/** The stream `GET /api/events/` opens: its tickets are issued for it (and for their user). */
const OWN_EVENTS_STREAM = 'events.own';
/** The first thing a stream sends (a comment, which EventSource ignores): the response starts with it. */
const LISTENING: MessageEvent = { comment: 'listening' };

/**
 * Live updates: the signed-in user's own domain events (issue 15), as they are published, on
 * every API process and replica. Everyone, admins included, sees only their own.
 */
@ApiTags('events')
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly local: LocalEventStream,
    private readonly tickets: StreamTicketsService,
    private readonly config: AppConfig,
  ) {}

  @Post('ticket')
  @Authenticated()
  @HttpCode(201)
  @ApiOperation({
    summary: 'A stream ticket: opens your event stream once, within 60 s, without an `Authorization` header.',
    description:
      "For a browser's `EventSource`, which cannot send headers: `new EventSource('/api/events/?ticket=' + ticket)`. A ticket opens one stream once (any presentation spends it), expires on the database clock, and dies with a revoke-all or a password change; get a new one for every (re)connection.",
  })
  @ApiCreatedResponse({ type: StreamTicketDto })
  async ticket(@CurrentUser() user: AuthenticatedUser): Promise<StreamTicketDto> {
    const { ticket, expiresInSeconds } = await this.tickets.issue(user, OWN_EVENTS_STREAM);
    return { ticket, expires_in: expiresInSeconds };
  }

  @Sse()
  @Authenticated()
  @AcceptsStreamTicket(() => OWN_EVENTS_STREAM)
  @ApiOperation({
    summary:
      'Server-Sent Events: your own domain events as they are published (`event:` the CloudEvent type, `id:` its id, `data:` the CloudEvent).',
    description:
      'The events whose `data.userId` is you: your tokens (`ledger.token.created`, `ledger.token.redeemed`, `ledger.token.expired`), your grants (`ledger.points.granted`), your revoked refresh families (`auth.family.revoked`), your WhatsApp numbers (`whatsapp.number.status_changed`) and your Vinted session. Admins too see only their own. Types and `data` are in the AsyncAPI document (`/api/asyncapi.json`). ' +
      'Authenticated by the `Authorization` header, or by `?ticket=` from `POST /api/events/ticket/` (for `EventSource`; 401 `ticket_not_valid` when it is unknown, used or expired). A `: keep-alive` comment comes after every `SSE_KEEPALIVE_INTERVAL` (15 s) without an event. ' +
      'Live only: nothing is replayed (`Last-Event-ID` is ignored), so events published before the first `: listening` comment, while no stream was open, or while this API process was reconnecting to RabbitMQ, are not sent; read the current state from the REST endpoints after (re)connecting. Delivery is at least once: an event may come twice with the same `id`.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'An event stream.',
    content: {
      'text/event-stream': {
        schema: { type: 'string', description: 'W3C event stream: `event:`, `id:`, `data:` lines, and comments.' },
        example:
          ': listening\n\nevent: ledger.token.redeemed\nid: 0b6c8c1e-6f1e-4f59-9b59-2f7f3c1d2a10\ndata: {"specversion":"1.0","id":"0b6c8c1e-6f1e-4f59-9b59-2f7f3c1d2a10","source":"/hourglass/ledger","type":"ledger.token.redeemed","subject":"tokens/42",…}\n\n: keep-alive\n\n',
      },
    },
  })
  events(@CurrentUser() user: AuthenticatedUser): Observable<MessageEvent> {
    const own = new Observable<MessageEvent>((subscriber) => {
      const unsubscribe = this.local.subscribe((event: CloudEvent) => {
        if (concernsUser(event, user.id)) {
          subscriber.next({ type: event.type, id: event.id, data: event });
        }
      });
      // Sent once listening: the response starts (EventSource's `open`), and any event after it is streamed.
      subscriber.next(LISTENING);
      return unsubscribe;
    });
    return withKeepAlive(own, this.config.SSE_KEEPALIVE_INTERVAL);
  }
}
