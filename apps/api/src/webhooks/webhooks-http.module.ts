import { WebhooksCronModule } from '@app/webhooks';
import { Module } from '@nestjs/common';
import { WebhooksController } from './webhooks.controller';

/** The admin's webhook endpoints and the sender's schedule (API only). */
@Module({
  imports: [WebhooksCronModule],
  controllers: [WebhooksController],
})
export class WebhooksHttpModule {}
