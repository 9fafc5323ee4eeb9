import { AuthenticatedUser, StreamTicketsService } from '@app/auth';
import { AppConfig } from '@app/config';
import { WhatsappNumbersService } from '@app/whatsapp';
import { Body, Controller, Get, HttpCode, MessageEvent, Post, Query, Sse } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Observable, map } from 'rxjs';
import {
  AcceptedDto,
  CreateWhatsappNumberDto,
  ERROR_EXAMPLES,
  WhatsappNumberDto,
  WhatsappNumberPageDto,
} from './dto/whatsapp-number.dto';
import { AcceptsStreamTicket, Authenticated, CurrentUser, Roles, StreamOfRequest } from '../auth/guard';
import { withKeepAlive } from '../http/event-stream';
import { errorExamplesResponse, errorResponse } from '../http/error-responses';
import { IdParam, parseIntegerId } from '../http/id-param';
import { StreamTicketDto } from '../http/stream-ticket.dto';
import { PageQueryDto } from '../ledger/dto/points.dto';
import { INVALID_CURSOR_EXAMPLE } from '../ledger/ledger-examples';

const ACCEPTED = { status: 'accepted' } as const;

/** The stream one number's events travel on: what its tickets are issued for. */
const numberEventsStream = (id: number): string => `whatsapp.numbers.${id}.events`;

/** The stream a request for `:id/events` opens, if its id can name a number. */
const requestedNumberEvents: StreamOfRequest = (params) => {
  const id = parseIntegerId(params.id);
  return id === undefined ? undefined : numberEventsStream(id);
};

/**
 * WhatsApp number validation (CONTRACT §6). A number belongs to the user who registered it: they
 * and admins may read it, validate it and follow its events; regenerating a QR by hand and
 * simulated scans are admin actions. Other users get 404, as for a missing id.
 */
@ApiTags('whatsapp')
@Controller('api/whatsapp/numbers')
export class WhatsappController {
  constructor(
    private readonly numbers: WhatsappNumbersService,
    private readonly tickets: StreamTicketsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'Your numbers (every number for an admin), newest first, paginated with `limit` and `nextCursor`.',
  })
  @ApiOkResponse({ type: WhatsappNumberPageDto })
  @ApiBadRequestResponse(errorResponse(INVALID_CURSOR_EXAMPLE))
  list(@CurrentUser() user: AuthenticatedUser, @Query() query: PageQueryDto) {
    return this.numbers.list(user, query);
  }

  @Post()
  @Authenticated()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a phone number to validate.' })
  @ApiCreatedResponse({ type: WhatsappNumberDto })
  @ApiBadRequestResponse(
    errorResponse(
      { detail: 'Enter a phone number in E.164 form, e.g. +221771234567.', code: 'invalid_phone_number' },
      { description: '`phoneNumber` is missing or not E.164 (any other field is refused with `invalid`).' },
    ),
  )
  @ApiConflictResponse(
    errorResponse({ detail: 'This phone number is already registered.', code: 'phone_number_taken' }),
  )
  register(@CurrentUser() user: AuthenticatedUser, @Body() body: CreateWhatsappNumberDto) {
    return this.numbers.register(user.id, body);
  }

  @Get(':id')
  @Authenticated()
  @ApiOperation({ summary: 'The validation state: status, current QR, attempt n/max, owning worker, last error.' })
  @ApiOkResponse({ type: WhatsappNumberDto })
  @ApiNotFoundResponse(ERROR_EXAMPLES.notFound)
  get(@CurrentUser() user: AuthenticatedUser, @IdParam() id: number) {
    return this.numbers.get(user, id);
  }

  @Post(':id/validate')
  @Authenticated()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start a validation: a worker shows a QR that regenerates itself when it expires (3 times at most).',
  })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @ApiNotFoundResponse(ERROR_EXAMPLES.notFound)
  @ApiServiceUnavailableResponse(ERROR_EXAMPLES.busDown)
  async validate(@CurrentUser() user: AuthenticatedUser, @IdParam() id: number) {
    await this.numbers.validate(user, id);
    return ACCEPTED;
  }

  @Post(':id/regenerate-qr')
  @Roles('admin')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Force a new QR with the counter back at 0 (a connected session answers `connected` instead).',
  })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @ApiNotFoundResponse(ERROR_EXAMPLES.notFound)
  @ApiConflictResponse(errorResponse(ERROR_EXAMPLES.notValidated))
  @ApiServiceUnavailableResponse(ERROR_EXAMPLES.busDown)
  async regenerateQr(@IdParam() id: number) {
    await this.numbers.regenerateQr(id);
    return ACCEPTED;
  }

  @Post(':id/simulate-scan')
  @Roles('admin')
  @HttpCode(202)
  @ApiOperation({ summary: 'Simulator driver only: a simulated phone scans the QR on display.' })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @ApiNotFoundResponse(ERROR_EXAMPLES.notFound)
  @ApiConflictResponse(
    errorExamplesResponse({
      simulatorOnly: { value: ERROR_EXAMPLES.simulatorOnly },
      notValidated: { value: ERROR_EXAMPLES.notValidated },
    }),
  )
  @ApiServiceUnavailableResponse(ERROR_EXAMPLES.busDown)
  async simulateScan(@IdParam() id: number) {
    await this.numbers.simulateScan(id);
    return ACCEPTED;
  }

  @Post(':id/events/ticket')
  @Authenticated()
  @HttpCode(201)
  @ApiOperation({
    summary: "A stream ticket: opens this number's event stream once, within 60 s, without an `Authorization` header.",
    description:
      "For a browser's `EventSource`, which cannot send headers: `new EventSource('/api/whatsapp/numbers/6/events/?ticket=' + ticket)`. Same access rule as the stream. A ticket opens one stream once (any presentation spends it), expires on the database clock, and dies with a revoke-all or a password change; get a new one for every (re)connection.",
  })
  @ApiCreatedResponse({ type: StreamTicketDto })
  @ApiNotFoundResponse(ERROR_EXAMPLES.notFound)
  async eventsTicket(@CurrentUser() user: AuthenticatedUser, @IdParam() id: number): Promise<StreamTicketDto> {
    await this.numbers.get(user, id); // the stream's own access rule: others get 404
    const { ticket, expiresInSeconds } = await this.tickets.issue(user, numberEventsStream(id));
    return { ticket, expires_in: expiresInSeconds };
  }

  @Sse(':id/events')
  @Authenticated()
  @AcceptsStreamTicket(requestedNumberEvents)
  @ApiOperation({
    summary:
      'Server-Sent Events: a `status` event with the current state, then every worker event of the number (`qr_generated`, `qr_regenerating`, `connected`, `error`) with its seed body.',
    description:
      'Authenticated by the `Authorization` header, or by `?ticket=` from `POST …/events/ticket/` (for `EventSource`; 401 `ticket_not_valid` when it is unknown, used or expired). A `: keep-alive` comment comes after every `SSE_KEEPALIVE_INTERVAL` (15 s) without an event. Every API process and replica streams every event, whichever consumed it from `whatsapp.worker.events`: each applied event goes through the outbox and `hourglass.events` (`whatsapp.number.validation_event`, which names it without its QR) to the own queue of every replica, in order. Listening starts before the `status` is read, so a change may show in both; a relay retry may repeat an event. If events may have been missed (this API process lost its RabbitMQ queue), the stream ends: reconnect to get the current `status` again (with a new ticket: an EventSource that reconnects by itself presents its spent one).',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'An event stream.',
    content: {
      'text/event-stream': {
        schema: { type: 'string', description: 'W3C event stream: `event:`, `id:`, `data:` lines, and comments.' },
        example: 'event: qr_generated\nid: 2\ndata: {"action":"qr_generated","numberId":6,…}\n\n: keep-alive\n\n',
      },
    },
  })
  @ApiNotFoundResponse(ERROR_EXAMPLES.notFound)
  async events(@CurrentUser() user: AuthenticatedUser, @IdParam() id: number): Promise<Observable<MessageEvent>> {
    const stream = await this.numbers.follow(user, id);
    return withKeepAlive(
      stream.pipe(
        map((item): MessageEvent =>
          item.kind === 'status'
            ? { type: 'status', data: item.status }
            : { type: item.event.action, data: item.event },
        ),
      ),
      this.config.SSE_KEEPALIVE_INTERVAL,
    );
  }
}
