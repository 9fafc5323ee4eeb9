import { E164 } from '@app/whatsapp';
import { JsonSchema, MessageSpec, object, positiveInteger, text } from './message-spec';

/**
 * JSON Schemas of the bodies on the WhatsApp worker queues (CONTRACT.md §6), written to accept
 * exactly what `parseWorkerEvent`, `parseHeartbeat` and `parseWhatsappCommand` accept and to match
 * what the API and the worker publish: `asyncapi-document.spec.ts` holds them to the parsers and
 * `test/asyncapi.e2e-spec.ts` to the messages the running code sends.
 */

const action = (name: string): JsonSchema => ({ type: 'string', const: name, description: 'What the message is.' });
const numberId = positiveInteger('The WhatsApp number (`GET /api/whatsapp/numbers/:id/`).');
const phoneNumber: JsonSchema = {
  type: 'string',
  pattern: E164.source,
  description: 'E.164: a `+`, a non-zero first digit, 8 to 15 digits in all.',
};
const eventBase = {
  numberId,
  sessionId: text('`session_<numberId>_<phoneNumber>`.'),
  workerId: text('The worker that sent the event (its `WORKER_ID`).'),
  timestamp: positiveInteger('When the worker sent it, in milliseconds since the epoch.'),
};
const commandTimestamp: JsonSchema = {
  type: 'number',
  description: 'When the API sent it, in milliseconds since the epoch.',
};

const SESSION_ID = 'session_6_+221771234567';
const SENT_AT = 1765029000000;
// A real (1×1 pixel) PNG, so that the example is a valid data URL and not a truncated one.
const QR_CODE =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==';

/** Worker → API on `whatsapp.worker.events`: the four events of seed 004, then the heartbeat. */
export const WORKER_EVENT_MESSAGES: MessageSpec[] = [
  {
    name: 'qrGenerated',
    title: 'qr_generated',
    summary: 'A QR code to scan: the first of a validation, or the next one after an expiry.',
    payload: object({
      action: action('qr_generated'),
      ...eventBase,
      qrCode: { type: 'string', pattern: '^data:image/png;base64,', description: 'The QR code, a PNG data URL.' },
    }),
    example: {
      action: 'qr_generated',
      numberId: 6,
      sessionId: SESSION_ID,
      qrCode: QR_CODE,
      timestamp: SENT_AT,
      workerId: 'worker-1',
    },
  },
  {
    name: 'qrRegenerating',
    title: 'qr_regenerating',
    summary: 'The QR code expired unscanned; the next one follows (attempt N of maxAttempts).',
    payload: object({
      action: action('qr_regenerating'),
      ...eventBase,
      attempt: positiveInteger('The expiry count, from 1.'),
      maxAttempts: positiveInteger('Expiries allowed before the validation fails (WHATSAPP_MAX_QR_RETRIES).'),
      message: text('The seed\'s sentence, e.g. "QR code expired. Generating new QR code (attempt 1/3)".'),
    }),
    example: {
      action: 'qr_regenerating',
      numberId: 6,
      sessionId: SESSION_ID,
      attempt: 1,
      maxAttempts: 3,
      message: 'QR code expired. Generating new QR code (attempt 1/3)',
      timestamp: SENT_AT + 60_000,
      workerId: 'worker-1',
    },
  },
  {
    name: 'connected',
    title: 'connected',
    summary: 'The phone scanned the QR code (or the session was already connected): the number is validated.',
    payload: object(
      { action: action('connected'), ...eventBase },
      { message: { type: 'string', description: 'Present when a regeneration found the session connected.' } },
    ),
    example: {
      action: 'connected',
      numberId: 6,
      sessionId: SESSION_ID,
      message: 'Session already connected. No QR needed.',
      timestamp: SENT_AT + 90_000,
      workerId: 'worker-1',
    },
  },
  {
    name: 'validationError',
    title: 'error',
    summary: 'The validation failed (QR codes exhausted, logged out, replaced, connection lost).',
    payload: object({ action: action('error'), ...eventBase, error: text('Why, in a sentence for the user.') }),
    example: {
      action: 'error',
      numberId: 6,
      sessionId: SESSION_ID,
      error: 'QR code generation failed after 3 attempts. Please request a new validation.',
      timestamp: SENT_AT + 240_000,
      workerId: 'worker-1',
    },
  },
  {
    name: 'heartbeat',
    title: 'heartbeat',
    summary:
      "A worker's liveness (WHATSAPP_HEARTBEAT_INTERVAL): commands for a number go to its owner's queue only while the owner's heartbeat is fresh.",
    payload: object(
      {
        action: action('heartbeat'),
        workerId: text('The worker (its `WORKER_ID`).'),
        driver: text('Its WhatsApp driver: `baileys` or `simulator`.'),
        timestamp: positiveInteger('When it was sent, in milliseconds since the epoch.'),
      },
      {
        sessions: {
          type: 'integer',
          minimum: 0,
          maximum: Number.MAX_SAFE_INTEGER,
          description: 'The sessions it holds open (always sent; read as 0 when absent).',
        },
      },
    ),
    example: { action: 'heartbeat', workerId: 'worker-1', driver: 'baileys', sessions: 2, timestamp: SENT_AT },
  },
];

/** API → workers on `whatsapp.worker.commands` and `whatsapp.worker.commands.<workerId>`. */
export const WORKER_COMMAND_MESSAGES: MessageSpec[] = [
  {
    name: 'validateNumber',
    title: 'validate_number',
    summary: 'Start (or restart) the validation of a number: open a session and send QR codes.',
    payload: object({
      action: action('validate_number'),
      data: object({ numberId, phoneNumber }),
      timestamp: commandTimestamp,
    }),
    example: { action: 'validate_number', data: { numberId: 6, phoneNumber: '+221771234567' }, timestamp: SENT_AT },
  },
  {
    name: 'regenerateQr',
    title: 'regenerate_qr',
    summary: "An admin's manual regeneration of the QR code (or `connected` if the session is connected).",
    payload: object({
      action: action('regenerate_qr'),
      data: object(
        { numberId, phoneNumber },
        { workerId: { type: 'string', description: 'The owner, when the command goes to its own queue.' } },
      ),
      timestamp: commandTimestamp,
    }),
    example: {
      action: 'regenerate_qr',
      data: { numberId: 6, phoneNumber: '+221771234567', workerId: 'worker-1' },
      timestamp: SENT_AT,
    },
  },
  {
    name: 'simulateScan',
    title: 'simulate_scan',
    summary: 'Simulator driver only (never with baileys): a simulated phone scans the current QR code.',
    payload: object({ action: action('simulate_scan'), data: object({ numberId }), timestamp: commandTimestamp }),
    example: { action: 'simulate_scan', data: { numberId: 6 }, timestamp: SENT_AT },
  },
  {
    name: 'closeSession',
    title: 'close_session',
    summary: "Ends a number's session (QR or connected) without an event; its credentials are kept.",
    payload: object({ action: action('close_session'), data: object({ numberId }), timestamp: commandTimestamp }),
    example: { action: 'close_session', data: { numberId: 6 }, timestamp: SENT_AT },
  },
];
