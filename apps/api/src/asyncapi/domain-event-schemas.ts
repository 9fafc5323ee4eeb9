import {
  CLOUDEVENTS_CONTENT_TYPE,
  type DomainEventData,
  type DomainEventType,
  EVENTS_EXCHANGE,
  type ExpiryTrigger,
  type FamilyRevocationReason,
} from '@app/events';
import { REFRESH_FAILURE_KINDS, VINTED_SESSION_STATUSES } from '@app/vinted';
import { NUMBER_STATUSES, WORKER_EVENT_ACTIONS } from '@app/whatsapp';
import { JsonSchema, MessageSpec, object, positiveInteger, text } from './message-spec';

/**
 * The domain events on the `hourglass.events` topic exchange (issue 15): CloudEvents 1.0 in
 * structured JSON mode, routing key = `type`, as `@app/events` writes them to the outbox. No event
 * carries a secret: an exchange token is named by its non-secret number (`tokenId`), never by the
 * token string; no JWT, no cookie. The e2e spec validates the events the relay really publishes
 * against these schemas.
 */

export { CLOUDEVENTS_CONTENT_TYPE, EVENTS_EXCHANGE };

/** `ExpiryTrigger` of `@app/events`: the sweep's cron, a creation, a validation, or the CLI. */
const EXPIRY_TRIGGERS: readonly ExpiryTrigger[] = ['cron', 'create', 'validate', 'cli'];
const FAMILY_REVOCATION_REASONS: readonly FamilyRevocationReason[] = [
  'reuse',
  'logout',
  'revoke_all',
  'password_change',
];

interface DomainEventSpec {
  type: DomainEventType;
  name: string;
  summary: string;
  subject: string;
  subjectPattern: string;
  data: JsonSchema;
  example: { subject: string; data: DomainEventData[DomainEventType] };
}

const userId = positiveInteger('The user concerned.');
const tokenId = positiveInteger(
  "The exchange token's non-secret number (never the token itself); the same in all the events of one token.",
);
const points = positiveInteger('Points.');
const timestamp: JsonSchema = { type: 'string', format: 'date-time', description: 'RFC 3339.' };
const oneOf = (values: readonly string[], description: string): JsonSchema => ({
  type: 'string',
  enum: [...values],
  description,
});
const nullable = (schema: JsonSchema): JsonSchema => ({ ...schema, type: [schema.type as string, 'null'] });

const DOMAIN_EVENTS: DomainEventSpec[] = [
  {
    type: 'ledger.points.granted',
    name: 'ledgerPointsGranted',
    summary: "Points were added to a user's balance.",
    subject: '`users/<userId>`',
    subjectPattern: '^users/[1-9][0-9]*$',
    data: object({
      userId,
      points,
      balance: { type: 'integer', minimum: 0, description: 'The balance right after the grant.' },
      reason: nullable(text('Why, as the admin wrote it.')),
    }),
    example: { subject: 'users/42', data: { userId: 42, points: 500, balance: 500, reason: 'welcome' } },
  },
  {
    type: 'ledger.token.created',
    name: 'ledgerTokenCreated',
    summary: 'An exchange token was created: its points are held in escrow until it is redeemed or expires.',
    subject: '`tokens/<tokenId>`',
    subjectPattern: '^tokens/[1-9][0-9]*$',
    data: object({ tokenId, userId, points, expiresAt: timestamp }),
    example: {
      subject: 'tokens/1207',
      data: { tokenId: 1207, userId: 42, points: 120, expiresAt: '2025-12-06T14:00:00.000Z' },
    },
  },
  {
    type: 'ledger.token.redeemed',
    name: 'ledgerTokenRedeemed',
    summary: 'A vendor redeemed an exchange token: its held points were captured.',
    subject: '`tokens/<tokenId>`',
    subjectPattern: '^tokens/[1-9][0-9]*$',
    data: object({
      tokenId,
      userId,
      points,
      vendorId: positiveInteger('The vendor who redeemed it.'),
      requestId: positiveInteger('The exchange request the redemption created.'),
    }),
    example: {
      subject: 'tokens/1207',
      data: { tokenId: 1207, userId: 42, points: 120, vendorId: 7, requestId: 311 },
    },
  },
  {
    type: 'ledger.token.expired',
    name: 'ledgerTokenExpired',
    summary: "An exchange token expired unredeemed: its held points went back to the customer's balance.",
    subject: '`tokens/<tokenId>`',
    subjectPattern: '^tokens/[1-9][0-9]*$',
    data: object({
      tokenId,
      userId,
      pointsRestored: positiveInteger('Points returned to the balance.'),
      trigger: oneOf(
        EXPIRY_TRIGGERS,
        "What released them: the sweep's cron, a token creation, a validation of the expired token, or the CLI.",
      ),
    }),
    example: { subject: 'tokens/1207', data: { tokenId: 1207, userId: 42, pointsRestored: 120, trigger: 'cron' } },
  },
  {
    type: 'auth.family.revoked',
    name: 'authFamilyRevoked',
    summary: 'A refresh-token family was revoked: every refresh token of that login stops working.',
    subject: '`refresh-families/<familyId>`',
    subjectPattern: '^refresh-families/.+$',
    data: object({
      userId,
      familyId: text('The family (one login and its rotations): a non-secret id, never a token.'),
      reason: oneOf(
        FAMILY_REVOCATION_REASONS,
        'A rotated refresh token was reused, the user logged out, revoked all sessions, or changed the password.',
      ),
    }),
    example: {
      subject: 'refresh-families/6f1c2a9e-4b7d-4c1e-9a53-0d2f8e7b1c44',
      data: { userId: 42, familyId: '6f1c2a9e-4b7d-4c1e-9a53-0d2f8e7b1c44', reason: 'reuse' },
    },
  },
  {
    type: 'vinted.session.status_changed',
    name: 'vintedSessionStatusChanged',
    summary:
      "A user's Vinted session changed status: stored cookies (`none` → `active` for a new session), a refresh that failed (`active` → `expired` when Vinted refused the refresh token, `error` when blocked or out of attempts, `requires_configuration` when unreadable) or succeeded again, a secret rotation that made it readable. Written only when the status really changes.",
    subject: '`users/<userId>`',
    subjectPattern: '^users/[1-9][0-9]*$',
    data: object({
      userId,
      from: oneOf(['none', ...VINTED_SESSION_STATUSES], 'The status before; `none` when the session was just created.'),
      to: oneOf(VINTED_SESSION_STATUSES, 'The status now.'),
      reasonKind: {
        type: ['string', 'null'],
        enum: [...REFRESH_FAILURE_KINDS, null],
        description:
          'The kind of the failed refresh that changed it (`dead`: Vinted refused the refresh token; `blocked`; `transient`; `configuration`: unreadable); null when no failure did (cookies stored, refresh succeeded, secret rotated).',
      },
    }),
    example: { subject: 'users/42', data: { userId: 42, from: 'active', to: 'expired', reasonKind: 'dead' } },
  },
  {
    type: 'whatsapp.number.status_changed',
    name: 'whatsappNumberStatusChanged',
    summary:
      'A WhatsApp number changed status: `connected` once validated, `failed` after its QR codes ran out, back to `pending` when a validation or a QR regeneration is requested.',
    subject: '`whatsapp-numbers/<numberId>`',
    subjectPattern: '^whatsapp-numbers/[1-9][0-9]*$',
    data: object({
      numberId: positiveInteger('The WhatsApp number.'),
      userId: positiveInteger('Its owner.'),
      from: oneOf(NUMBER_STATUSES, 'The status before.'),
      to: oneOf(NUMBER_STATUSES, 'The status now.'),
    }),
    example: { subject: 'whatsapp-numbers/6', data: { numberId: 6, userId: 42, from: 'qr_ready', to: 'connected' } },
  },
  {
    type: 'whatsapp.number.validation_event',
    name: 'whatsappNumberValidationEvent',
    summary:
      "A worker event was applied to a WhatsApp number: a new QR code, a regeneration (`attempt` of `maxAttempts`), the scan (`connected`), an error. The QR itself is not in the event (it links a WhatsApp account): the number's SSE stream (`GET /api/whatsapp/numbers/{id}/events/`) reads it back by `workerEventId`.",
    subject: '`whatsapp-numbers/<numberId>`',
    subjectPattern: '^whatsapp-numbers/[1-9][0-9]*$',
    data: object({
      numberId: positiveInteger('The WhatsApp number.'),
      userId: positiveInteger('Its owner.'),
      action: oneOf(
        WORKER_EVENT_ACTIONS,
        'What the worker reported (the action of its `whatsapp.worker.events` message).',
      ),
      attempt: {
        type: 'integer',
        minimum: 0,
        description: 'The QR attempt the number is at after this event (0 before the first and once connected).',
      },
      maxAttempts: positiveInteger('The QR attempts a validation allows.'),
      workerId: text('The worker that reported it.'),
      workerEventId: text('The applied worker event, kept API-side for 10 minutes for the live streams.'),
    }),
    example: {
      subject: 'whatsapp-numbers/6',
      data: {
        numberId: 6,
        userId: 42,
        action: 'qr_regenerating',
        attempt: 2,
        maxAttempts: 3,
        workerId: 'worker-1',
        workerEventId: '311',
      },
    },
  },
];

/** The CloudEvents 1.0 structured envelope of one event type. */
function envelope(event: DomainEventSpec): JsonSchema {
  return object({
    specversion: { type: 'string', const: '1.0' },
    id: text('Unique per event and stable across redeliveries: deduplicate on it (delivery is at least once).'),
    source: { type: 'string', pattern: '^/hourglass/', description: 'The producing part, e.g. `/hourglass/ledger`.' },
    type: { type: 'string', const: event.type, description: 'Also the routing key.' },
    time: { ...timestamp, description: 'When the change was committed (RFC 3339).' },
    subject: { type: 'string', pattern: event.subjectPattern, description: `The aggregate: ${event.subject}.` },
    datacontenttype: { type: 'string', const: 'application/json' },
    data: event.data,
  });
}

/** One message per event type; `title` is the type, which is also the routing key. */
export const DOMAIN_EVENT_MESSAGES: MessageSpec[] = DOMAIN_EVENTS.map((event) => ({
  name: event.name,
  title: event.type,
  summary: event.summary,
  payload: envelope(event),
  example: {
    specversion: '1.0',
    id: '01JEXAMPLE0000000000000000',
    source: `/hourglass/${event.type.split('.')[0]}`,
    type: event.type,
    time: '2025-12-06T13:50:00.000Z',
    subject: event.example.subject,
    datacontenttype: 'application/json',
    data: event.example.data,
  },
}));
