export { WEBHOOK_DELIVERY_JOB } from './webhook-delivery.cron';
export { WebhookDeliveryService } from './webhook-delivery.service';
export { type RetryPolicy, retryDelayMs } from './webhook-retry';
export { generateWebhookSecret, validateWebhookSecret } from './webhook-secret';
export { signedHeaders } from './webhook-sender';
export { nonPublicRange, parseWebhookUrl } from './webhook-url-policy';
export {
  InvalidWebhookSecretError,
  InvalidWebhookUrlError,
  PrivateWebhookUrlError,
  UnknownEventTypeError,
  WebhookDeliveryNotFoundError,
  WebhookSubscriptionNotFoundError,
} from './webhooks.errors';
export { WebhooksCronModule } from './webhooks-cron.module';
export { WebhooksModule } from './webhooks.module';
export {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type WebhookDelivery,
  type WebhookSubscription,
} from './webhooks.repository';
export {
  ALL_EVENT_TYPES,
  type CreatedWebhookSubscription,
  type DeliveryPage,
  type NewWebhookSubscription,
  type SubscriptionChange,
  type SubscriptionPage,
  WebhooksService,
} from './webhooks.service';
