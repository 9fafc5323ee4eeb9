import { AuthenticatedUser } from '@app/auth';
import { ExchangeTokensService, TokenStatusService } from '@app/ledger';
import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  CreateExchangeTokenDto,
  ExchangeTokenDto,
  PageQueryDto,
  TokenStatusPageDto,
  ValidateExchangeTokenDto,
  ValidationResultDto,
} from './dto/points.dto';
import {
  BAD_POINTS_EXAMPLE,
  IDEMPOTENCY_REUSED_EXAMPLE,
  INSUFFICIENT_POINTS_EXAMPLE,
  INVALID_CURSOR_EXAMPLE,
  TOKEN_EXPIRED_EXAMPLE,
  TOKEN_NOT_FOUND_EXAMPLE,
  TOKEN_USED_EXAMPLE,
} from './ledger-examples';
import { IdempotencyKey } from './idempotency-key';
import { CurrentUser, Roles } from '../auth/guard';
import { errorResponse } from '../http/error-responses';
import { InvalidInputDto } from '../http/error-body.dto';

@ApiTags('exchange-tokens')
@Controller('api/exchange-tokens')
export class ExchangeTokensController {
  constructor(
    private readonly tokens: ExchangeTokensService,
    private readonly statuses: TokenStatusService,
  ) {}

  @Post()
  @Roles('customer')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Put points on hold behind a short-lived token and its QR code.',
    description:
      'The points leave `balance` at once and return to it exactly once if nobody redeems the token before `expiresAt`.',
  })
  @ApiCreatedResponse({ type: ExchangeTokenDto })
  @ApiBadRequestResponse(
    errorResponse(BAD_POINTS_EXAMPLE, {
      description: '`points` is missing or not a positive integer up to 2^31 - 1.',
      type: InvalidInputDto,
    }),
  )
  @ApiConflictResponse(
    errorResponse(INSUFFICIENT_POINTS_EXAMPLE, { description: 'The balance is short; nothing was held.' }),
  )
  @ApiUnprocessableEntityResponse(
    errorResponse(IDEMPOTENCY_REUSED_EXAMPLE, { description: 'The Idempotency-Key was used with another body.' }),
  )
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateExchangeTokenDto,
    @IdempotencyKey('A retry with the same key returns the first answer and holds nothing more.')
    idempotencyKey?: string,
  ) {
    return this.tokens.create(user.id, body.points, idempotencyKey);
  }

  @Post('validate')
  @Roles('vendor')
  @HttpCode(201)
  @ApiOperation({ summary: 'Redeem a scanned token: its held points are captured and an exchange request recorded.' })
  @ApiCreatedResponse({ type: ValidationResultDto })
  @ApiNotFoundResponse(
    errorResponse(TOKEN_NOT_FOUND_EXAMPLE, { description: 'No such token (or not a token at all).' }),
  )
  @ApiConflictResponse(errorResponse(TOKEN_USED_EXAMPLE))
  @ApiGoneResponse(
    errorResponse(TOKEN_EXPIRED_EXAMPLE, { description: 'Expired: the points went back to the customer.' }),
  )
  async validate(@CurrentUser() user: AuthenticatedUser, @Body() body: ValidateExchangeTokenDto) {
    return { exchangeRequest: await this.tokens.validate(user.id, body.token) };
  }

  @Get('status')
  @Roles('customer')
  @ApiOperation({
    summary: 'Your tokens, active first then most recent, with balance and held; paginated with `nextCursor`.',
  })
  @ApiOkResponse({ type: TokenStatusPageDto })
  @ApiBadRequestResponse(errorResponse(INVALID_CURSOR_EXAMPLE))
  status(@CurrentUser() user: AuthenticatedUser, @Query() query: PageQueryDto) {
    return this.statuses.status(user.id, query);
  }
}
