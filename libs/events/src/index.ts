export { CLOUDEVENTS_CONTENT_TYPE, type CloudEvent, type CloudEventSource, toCloudEvent } from './cloud-event';
export {
  DOMAIN_EVENT_TYPES,
  EVENTS_EXCHANGE,
  type DomainEventData,
  type DomainEventType,
  type ExpiryTrigger,
  type FamilyRevocationReason,
  type FamilyRevokedData,
  type NewDomainEvent,
  type PointsGrantedData,
  type TokenCreatedData,
  type TokenExpiredData,
  type TokenRedeemedData,
  type ValidationEventAction,
  type VintedSessionStatusChangedData,
  type WhatsappNumberStatusChangedData,
  type WhatsappValidationEventData,
} from './domain-events';
export { EventsCronModule } from './events-cron.module';
export { EventsModule } from './events.module';
export { LiveEventsModule } from './live-events.module';
export { type DomainEventListener, LocalEventStream } from './local-event-stream';
export { concernsUser } from './own-events';
export { OUTBOX_PURGE_JOB } from './outbox-purge.cron';
export { OUTBOX_RELAY_JOB } from './outbox-relay.cron';
export { OUTBOX_RELAY_LOCK, OutboxRelay, type RelayResult } from './outbox-relay.service';
export { OUTBOX_COLUMNS, type OutboxBacklog, OutboxRepository } from './outbox.repository';
