/**
 * The domain events of Hourglass (issue 15): their CloudEvents `type`s (also the routing keys on
 * the `hourglass.events` exchange) and the `data` each carries. No event carries a secret: a token
 * is named by its non-secret number (`exchange_tokens.seq`), never by its string; no JWT, no cookie.
 */

/** The durable topic exchange the relay publishes to; routing key = event type. */
export const EVENTS_EXCHANGE = 'hourglass.events';

export const DOMAIN_EVENT_TYPES = [
  'ledger.points.granted',
  'ledger.token.created',
  'ledger.token.redeemed',
  'ledger.token.expired',
  'auth.family.revoked',
  'vinted.session.status_changed',
  'whatsapp.number.status_changed',
  'whatsapp.number.validation_event',
] as const;

export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

/** Who released an expired token's points: the same triggers as `SweepReport.trigger`. */
export type ExpiryTrigger = 'cron' | 'create' | 'validate' | 'cli';

export interface PointsGrantedData {
  userId: number;
  points: number;
  /** The balance right after the grant. */
  balance: number;
  reason: string | null;
}

export interface TokenCreatedData {
  /** The token's non-secret number (never the token string). */
  tokenId: number;
  userId: number;
  points: number;
  expiresAt: string;
}

export interface TokenRedeemedData {
  tokenId: number;
  userId: number;
  vendorId: number;
  points: number;
  requestId: number;
}

export interface TokenExpiredData {
  tokenId: number;
  userId: number;
  /** Points returned to the balance by this release. */
  pointsRestored: number;
  trigger: ExpiryTrigger;
}

export type FamilyRevocationReason = 'reuse' | 'logout' | 'revoke_all' | 'password_change';

export interface FamilyRevokedData {
  userId: number;
  /** The refresh-token family (its non-secret id, never a token). */
  familyId: string;
  reason: FamilyRevocationReason;
}

export interface VintedSessionStatusChangedData {
  userId: number;
  /** The status before; `none` when the change created the session. */
  from: string;
  to: string;
  /** The failed refresh's kind (`dead`, `blocked`, `transient`, `configuration`) when one caused the change; else null. */
  reasonKind: string | null;
}

export interface WhatsappNumberStatusChangedData {
  numberId: number;
  userId: number;
  from: string;
  to: string;
}

/** What a worker reported about a number's validation (the seed's worker event actions). */
export type ValidationEventAction = 'qr_generated' | 'qr_regenerating' | 'connected' | 'error';

/**
 * A worker event applied to a number: a new QR code, a regeneration, the scan, an error. The QR
 * itself stays out of the event (it links a WhatsApp account): the number's own stream reads the
 * applied event back by `workerEventId`, for its owner and admins only.
 */
export interface WhatsappValidationEventData {
  numberId: number;
  userId: number;
  action: ValidationEventAction;
  /** The QR attempt the number is at after this event (0 before the first, and once connected). */
  attempt: number;
  maxAttempts: number;
  /** The worker that reported it. */
  workerId: string;
  /** The applied event as the worker sent it, kept API-side for 10 minutes. */
  workerEventId: string;
}

/** The `data` of each event type. */
export interface DomainEventData {
  'ledger.points.granted': PointsGrantedData;
  'ledger.token.created': TokenCreatedData;
  'ledger.token.redeemed': TokenRedeemedData;
  'ledger.token.expired': TokenExpiredData;
  'auth.family.revoked': FamilyRevokedData;
  'vinted.session.status_changed': VintedSessionStatusChangedData;
  'whatsapp.number.status_changed': WhatsappNumberStatusChangedData;
  'whatsapp.number.validation_event': WhatsappValidationEventData;
}

/** An event to append to the outbox, in the transaction of its change. */
export interface NewDomainEvent<T extends DomainEventType = DomainEventType> {
  type: T;
  /** What changed: `exchange_token`, `user`, `refresh_family`, `vinted_session`, `whatsapp_number`. */
  aggregateType: string;
  aggregateId: string;
  /** CloudEvents `subject`, e.g. `tokens/42`. */
  subject: string;
  data: DomainEventData[T];
}
