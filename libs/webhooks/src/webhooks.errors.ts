import { AppError } from '@app/common';

/** A subscription URL that is not an absolute http(s) URL this service may call. */
export class InvalidWebhookUrlError extends AppError {
  constructor(reason: string) {
    super('invalid_webhook_url', `The webhook URL is refused: ${reason}.`, 400);
  }
}

/** A subscription URL whose host is (or resolves to) a non-public address, without WEBHOOK_ALLOW_PRIVATE. */
export class PrivateWebhookUrlError extends AppError {
  constructor(address: string, range: string) {
    super(
      'private_webhook_url',
      `The webhook URL's host is ${address}, a ${range} address: only public addresses are allowed (WEBHOOK_ALLOW_PRIVATE=false).`,
      400,
    );
  }
}

export class UnknownEventTypeError extends AppError {
  constructor(type: string, known: readonly string[]) {
    super('unknown_event_type', `"${type}" is not an event type; expected "*" or some of: ${known.join(', ')}.`, 400);
  }
}

export class InvalidWebhookSecretError extends AppError {
  constructor() {
    super(
      'invalid_webhook_secret',
      'The secret must be "whsec_" followed by the base64 of 24 to 64 random bytes (omit it to get a generated one).',
      400,
    );
  }
}

export class WebhookSubscriptionNotFoundError extends AppError {
  constructor() {
    super('webhook_subscription_not_found', 'No webhook subscription has this id.', 404);
  }
}

export class WebhookDeliveryNotFoundError extends AppError {
  constructor() {
    super('webhook_delivery_not_found', 'No webhook delivery has this id.', 404);
  }
}
