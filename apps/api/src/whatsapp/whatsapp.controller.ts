import { AuthenticatedUser } from '@app/auth';
import { WhatsappNumbersService } from '@app/whatsapp';
import { Body, Controller, Get, HttpCode, MessageEvent, Post, Sse } from '@nestjs/common';
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
import { Observable, concat, map, of } from 'rxjs';
import { AcceptedDto, CreateWhatsappNumberDto, ERROR_EXAMPLES, WhatsappNumberDto } from './dto/whatsapp-number.dto';
import { Authenticated, CurrentUser, Roles } from '../auth/guard';
import { errorExamplesResponse, errorResponse } from '../http/error-responses';
import { IdParam } from '../http/id-param';

const ACCEPTED = { status: 'accepted' } as const;

/**
 * WhatsApp number validation (CONTRACT §6). A number belongs to the user who registered it: they
 * and admins may read it, validate it and follow its events; regenerating a QR by hand and
 * simulated scans are admin actions. Other users get 404, as for a missing id.
 */
@ApiTags('whatsapp')
@Controller('api/whatsapp/numbers')
export class WhatsappController {
  constructor(private readonly numbers: WhatsappNumbersService) {}

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

  @Sse(':id/events')
  @Authenticated()
  @ApiOperation({
    summary:
      'Server-Sent Events: a `status` event with the current state, then every worker event of the number (`qr_generated`, `qr_regenerating`, `connected`, `error`) with its seed body.',
    description:
      'Every API process and replica streams every event, whichever consumed it from `whatsapp.worker.events` (PostgreSQL LISTEN/NOTIFY), in order and once. If events may have been missed (the API lost its LISTEN connection), the stream ends: reconnect (EventSource does) to get the current `status` again.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'An event stream.',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example: 'event: qr_generated\ndata: {"action":"qr_generated","numberId":6,…}\n\n',
      },
    },
  })
  @ApiNotFoundResponse(ERROR_EXAMPLES.notFound)
  async events(@CurrentUser() user: AuthenticatedUser, @IdParam() id: number): Promise<Observable<MessageEvent>> {
    const current = await this.numbers.get(user, id);
    const events = await this.numbers.events(user, id);
    return concat(
      of<MessageEvent>({ type: 'status', data: current }),
      events.pipe(map((event): MessageEvent => ({ type: event.action, data: event }))),
    );
  }
}
