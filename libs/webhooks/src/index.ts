export { WebhooksCronModule } from './webhooks-cron.module';
export { WebhooksModule } from './webhooks.module';
export {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type WebhookDelivery,
  type WebhookSubscription,
} from './webhooks.repository';
export {
  type CreatedWebhookSubscription,
  type DeliveryPage,
  type NewWebhookSubscription,
  type SubscriptionChange,
  type SubscriptionPage,
  WebhooksService,
} from './webhooks.service';
