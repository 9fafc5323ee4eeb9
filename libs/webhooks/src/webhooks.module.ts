import { Module } from '@nestjs/common';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookSecretCipher } from './webhook-secret';
import { WebhookSender } from './webhook-sender';
import { WebhooksMetrics } from './webhooks-metrics';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/**
 * Webhook subscriptions and their delivery log (`WebhooksService`, for the API and the CLI) and
 * the sender (`WebhookDeliveryService`). Needs `ConfigModule.forRoot` and `DatabaseModule.forRoot`.
 * Schedules nothing: the API also imports `WebhooksCronModule`.
 */
@Module({
  providers: [
    WebhooksRepository,
    WebhooksService,
    WebhookSecretCipher,
    WebhookSender,
    WebhookDeliveryService,
    WebhooksMetrics,
  ],
  exports: [WebhooksService, WebhookDeliveryService, WebhooksRepository],
})
export class WebhooksModule {}
