import { DOMAIN_EVENT_TYPES } from '@app/events';
import { DELIVERY_STATUSES } from '@app/webhooks';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';

const EVENT_TYPES_DESCRIPTION = `Domain event types to receive (${DOMAIN_EVENT_TYPES.join(', ')}), or \`*\` for every type, present and future.`;

export class CreateWebhookSubscriptionDto {
  @ApiProperty({
    example: 'https://hooks.example.com/hourglass',
    maxLength: 2048,
    description:
      'An absolute `http:` or `https:` URL without credentials. Hosts that are or resolve to private, loopback, link-local or other non-public addresses are refused unless WEBHOOK_ALLOW_PRIVATE=true.',
  })
  @IsString()
  @MaxLength(2048)
  url!: string;

  @ApiProperty({
    type: [String],
    example: ['ledger.token.expired', 'ledger.token.redeemed'],
    description: EVENT_TYPES_DESCRIPTION,
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  eventTypes!: string[];

  @ApiPropertyOptional({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description:
      'The Standard Webhooks signing secret: `whsec_` + base64 of 24 to 64 random bytes. Omitted: one is generated. Either way the 201 answer shows it, and nothing ever shows it again.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string;
}

export class UpdateWebhookSubscriptionDto {
  @ApiPropertyOptional({ example: false, description: 'false pauses the subscription: no new deliveries, none sent.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: [String], example: ['*'], description: EVENT_TYPES_DESCRIPTION })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  eventTypes?: string[];
}

export class WebhookSubscriptionDto {
  @ApiProperty({ example: 1 }) id!: number;
  @ApiProperty({ example: 'https://hooks.example.com/hourglass' }) url!: string;
  @ApiProperty({ type: [String], example: ['ledger.token.expired'] }) eventTypes!: string[];
  @ApiProperty({ example: true }) active!: boolean;
  @ApiProperty({ example: '2026-12-02T14:00:00.000+00:00' }) createdAt!: string;
  @ApiProperty({ example: '2026-12-02T14:00:00.000+00:00' }) updatedAt!: string;
}

export class CreatedWebhookSubscriptionDto extends WebhookSubscriptionDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret: shown in this answer only. Keep it; verify each delivery with it.',
  })
  secret!: string;
}

export class WebhookSubscriptionPageDto {
  @ApiProperty({ type: [WebhookSubscriptionDto], description: 'Newest first.' })
  subscriptions!: WebhookSubscriptionDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Pass as `cursor` for the next page; null on the last.',
  })
  nextCursor!: string | null;
}

export class WebhookDeliveryDto {
  @ApiProperty({ example: 17 }) id!: number;
  @ApiProperty({ example: 1 }) subscriptionId!: number;
  @ApiProperty({
    example: '7f1c2e1a-8a5e-4c1b-9d55-0d4f1f3b7e21',
    description: 'The CloudEvent `id`, sent as `webhook-id`.',
  })
  eventId!: string;
  @ApiProperty({ example: 'ledger.token.expired' }) eventType!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'pending' }) status!: string;
  @ApiProperty({ example: 2, description: 'Attempts in the current retry window.' }) attempts!: number;
  @ApiProperty({ type: Number, nullable: true, example: 500 }) lastStatusCode!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'HTTP 500' }) lastError!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-12-02T14:00:10.000+00:00',
    description: 'Pending deliveries only.',
  })
  nextAttemptAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2026-12-02T14:00:05.000+00:00' }) lastAttemptAt!:
    string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) deliveredAt!: string | null;
  @ApiProperty({ example: '2026-12-02T14:00:00.000+00:00' }) createdAt!: string;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto], description: 'Newest first.' }) deliveries!: WebhookDeliveryDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Pass as `cursor` for the next page; null on the last.',
  })
  nextCursor!: string | null;
}

/** Error bodies for Swagger, as the exception filter renders the lib's errors. */
export const WEBHOOK_ERRORS = {
  invalidUrl: {
    detail: 'The webhook URL is refused: only http: and https: URLs are accepted, not ftp:.',
    code: 'invalid_webhook_url',
  },
  privateUrl: {
    detail:
      "The webhook URL's host is 127.0.0.1, a loopback address: only public addresses are allowed (WEBHOOK_ALLOW_PRIVATE=false).",
    code: 'private_webhook_url',
  },
  unknownType: {
    detail: '"ledger.nope" is not an event type; expected "*" or some of: ledger.points.granted, …',
    code: 'unknown_event_type',
  },
  badSecret: {
    detail:
      'The secret must be "whsec_" followed by the base64 of 24 to 64 random bytes (omit it to get a generated one).',
    code: 'invalid_webhook_secret',
  },
  subscriptionNotFound: { detail: 'No webhook subscription has this id.', code: 'webhook_subscription_not_found' },
  deliveryNotFound: { detail: 'No webhook delivery has this id.', code: 'webhook_delivery_not_found' },
};
