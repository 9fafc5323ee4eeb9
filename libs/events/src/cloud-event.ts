import { DomainEventData, DomainEventType } from './domain-events';

/** CloudEvents 1.0, structured JSON mode: what a consumer of `hourglass.events` receives. */
export interface CloudEvent<T extends DomainEventType = DomainEventType> {
  specversion: '1.0';
  /** The outbox row's id: stable across redeliveries, for consumers to deduplicate on. */
  id: string;
  /** `/hourglass/<domain>`: the lib whose state changed (`/hourglass/ledger`…). */
  source: string;
  type: T;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  data: DomainEventData[T];
}

/** The AMQP `content_type` of a structured CloudEvent. */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/** An outbox row as the relay reads it. */
export interface OutboxRow {
  id: string;
  seq: string;
  type: string;
  subject: string;
  payload: unknown;
  occurred_at: Date;
}

/** What a CloudEvent is made of: an outbox row's fields, or a copy of them (a webhook delivery's). */
export type CloudEventSource = Pick<OutboxRow, 'id' | 'type' | 'subject' | 'payload' | 'occurred_at'>;

export function toCloudEvent(row: CloudEventSource): CloudEvent {
  return {
    specversion: '1.0',
    id: row.id,
    source: `/hourglass/${row.type.split('.')[0]}`,
    type: row.type as DomainEventType,
    time: row.occurred_at.toISOString(),
    subject: row.subject,
    datacontenttype: 'application/json',
    data: row.payload as DomainEventData[DomainEventType],
  };
}
