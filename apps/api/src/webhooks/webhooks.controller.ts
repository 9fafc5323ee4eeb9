import { WebhooksService } from '@app/webhooks';
import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  CreateWebhookSubscriptionDto,
  CreatedWebhookSubscriptionDto,
  UpdateWebhookSubscriptionDto,
  WEBHOOK_ERRORS,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
  WebhookSubscriptionDto,
  WebhookSubscriptionPageDto,
} from './dto/webhooks.dto';
import { Roles } from '../auth/guard';
import { errorExamplesResponse, errorResponse } from '../http/error-responses';
import { IdParam } from '../http/id-param';
import { PageQueryDto } from '../ledger/dto/points.dto';
import { INVALID_CURSOR_EXAMPLE } from '../ledger/ledger-examples';

const BAD_INPUT = errorExamplesResponse({
  invalidUrl: { value: WEBHOOK_ERRORS.invalidUrl },
  privateUrl: { value: WEBHOOK_ERRORS.privateUrl },
  unknownType: { value: WEBHOOK_ERRORS.unknownType },
  badSecret: { value: WEBHOOK_ERRORS.badSecret },
  invalid: {
    value: {
      detail: 'Invalid input - url must be a string.',
      code: 'invalid',
      errors: { url: ['url must be a string'] },
    },
  },
});

/**
 * Signed webhooks (issue 15), admin only: subscriptions to domain events, each with its delivery
 * log and redelivery. Deliveries are CloudEvents signed per Standard Webhooks (README "Webhooks").
 */
@ApiTags('webhooks')
@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('subscriptions')
  @Roles('admin')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Subscribe a URL to domain events; the answer shows the signing secret, the only time it is shown.',
    description:
      'Each event of the chosen types published after this call is POSTed to the URL as a CloudEvent (JSON), with `webhook-id`, `webhook-timestamp` and `webhook-signature` headers (Standard Webhooks, HMAC-SHA256), and retried with exponential backoff until a 2xx answer or the end of WEBHOOK_RETRY_WINDOW.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookSubscriptionDto })
  @ApiBadRequestResponse(BAD_INPUT)
  create(@Body() body: CreateWebhookSubscriptionDto) {
    return this.webhooks.create(body);
  }

  @Get('subscriptions')
  @Roles('admin')
  @ApiOperation({
    summary: 'Every subscription (never a secret), newest first, paginated with `limit` and `nextCursor`.',
  })
  @ApiOkResponse({ type: WebhookSubscriptionPageDto })
  @ApiBadRequestResponse(errorResponse(INVALID_CURSOR_EXAMPLE))
  list(@Query() query: PageQueryDto) {
    return this.webhooks.list(query);
  }

  @Get('subscriptions/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'One subscription (never its secret).' })
  @ApiOkResponse({ type: WebhookSubscriptionDto })
  @ApiNotFoundResponse(errorResponse(WEBHOOK_ERRORS.subscriptionNotFound))
  get(@IdParam() id: number) {
    return this.webhooks.get(id);
  }

  @Patch('subscriptions/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Pause or resume a subscription (`active`), or change its `eventTypes`.' })
  @ApiOkResponse({ type: WebhookSubscriptionDto })
  @ApiBadRequestResponse(BAD_INPUT)
  @ApiNotFoundResponse(errorResponse(WEBHOOK_ERRORS.subscriptionNotFound))
  update(@IdParam() id: number, @Body() body: UpdateWebhookSubscriptionDto) {
    return this.webhooks.update(id, body);
  }

  @Delete('subscriptions/:id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscription and its delivery log; deliveries in flight are not recorded.' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse(errorResponse(WEBHOOK_ERRORS.subscriptionNotFound))
  async delete(@IdParam() id: number): Promise<void> {
    await this.webhooks.delete(id);
  }

  @Get('subscriptions/:id/deliveries')
  @Roles('admin')
  @ApiOperation({
    summary:
      "A subscription's delivery log, newest first: event, status (pending, delivered, failed), attempts, last status code and error, next attempt.",
  })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiBadRequestResponse(errorResponse(INVALID_CURSOR_EXAMPLE))
  @ApiNotFoundResponse(errorResponse(WEBHOOK_ERRORS.subscriptionNotFound))
  deliveries(@IdParam() id: number, @Query() query: PageQueryDto) {
    return this.webhooks.deliveries(id, query);
  }

  @Post('deliveries/:id/redeliver')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a delivery again, whatever its status: pending and due now, with a new retry window.',
  })
  @ApiOkResponse({ type: WebhookDeliveryDto })
  @ApiNotFoundResponse(errorResponse(WEBHOOK_ERRORS.deliveryNotFound))
  redeliver(@IdParam() id: number) {
    return this.webhooks.redeliver(id);
  }
}
