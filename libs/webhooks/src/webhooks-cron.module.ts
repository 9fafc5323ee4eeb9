import { SchedulingModule } from '@app/database';
import { Module } from '@nestjs/common';
import { WebhookDeliveryCron } from './webhook-delivery.cron';
import { WebhooksModule } from './webhooks.module';

/** The webhook sender's schedule (every WEBHOOK_DELIVERY_INTERVAL). The API imports it. */
@Module({
  imports: [WebhooksModule, SchedulingModule],
  providers: [WebhookDeliveryCron],
  exports: [WebhooksModule],
})
export class WebhooksCronModule {}
