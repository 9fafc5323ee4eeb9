/**
 * Wire shapes of seed 004 / CONTRACT §6, exactly: plain JSON bodies on `whatsapp.worker.events`
 * (worker → API) and `whatsapp.worker.commands[.<workerId>]` (API → worker). Every event also
 * carries the `workerId` of the worker that sent it; `timestamp` is in milliseconds.
 */

export interface EventBase {
  numberId: number;
  sessionId: string;
  workerId: string;
  timestamp: number;
}

export type QrGeneratedEvent = EventBase & { action: 'qr_generated'; qrCode: string };
export type QrRegeneratingEvent = EventBase & {
  action: 'qr_regenerating';
  attempt: number;
  maxAttempts: number;
  message: string;
};
export type ConnectedEvent = EventBase & { action: 'connected'; message?: string };
export type ErrorEvent = EventBase & { action: 'error'; error: string };

export type WorkerEvent = QrGeneratedEvent | QrRegeneratingEvent | ConnectedEvent | ErrorEvent;
export type WorkerEventAction = WorkerEvent['action'];
export const WORKER_EVENT_ACTIONS: readonly WorkerEventAction[] = [
  'qr_generated',
  'qr_regenerating',
  'connected',
  'error',
];

/** Not in the seed: a worker's liveness, on the events queue, so the API can route around dead owners. */
export interface HeartbeatEvent {
  action: 'heartbeat';
  workerId: string;
  driver: string;
  sessions: number;
  timestamp: number;
}

export const WHATSAPP_COMMAND_ACTIONS = ['validate_number', 'regenerate_qr', 'simulate_scan', 'close_session'] as const;
export type WhatsappCommandAction = (typeof WHATSAPP_COMMAND_ACTIONS)[number];

/** `{"action":"validate_number","data":{"numberId":6,"phoneNumber":"+221771234567"},"timestamp":…}` */
export interface ValidateNumberCommand {
  action: 'validate_number';
  data: { numberId: number; phoneNumber: string };
  timestamp: number;
}

/** `{"action":"regenerate_qr","data":{"numberId":6,"phoneNumber":"+221771234567","workerId":"worker-1"},"timestamp":…}` */
export interface RegenerateQrCommand {
  action: 'regenerate_qr';
  data: { numberId: number; phoneNumber: string; workerId?: string };
  timestamp: number;
}

/** Simulator only: a simulated phone scans the current QR. */
export interface SimulateScanCommand {
  action: 'simulate_scan';
  data: { numberId: number };
  timestamp: number;
}

/** Ends a number's session (QR or connected) without an event; its credentials are kept. */
export interface CloseSessionCommand {
  action: 'close_session';
  data: { numberId: number };
  timestamp: number;
}

export type WhatsappCommand = ValidateNumberCommand | RegenerateQrCommand | SimulateScanCommand | CloseSessionCommand;

/** The seed's session id: `session_<numberId>_<phoneNumber>`. */
export function sessionIdOf(numberId: number, phoneNumber: string): string {
  return `session_${numberId}_${phoneNumber}`;
}

/** E.164: a `+`, a non-zero first digit, 8 to 15 digits in all. */
export const E164 = /^\+[1-9]\d{7,14}$/;

/** The seed's texts, verbatim. */
export const WhatsappTexts = {
  qrExpired: (attempt: number, max: number) => `QR code expired. Generating new QR code (attempt ${attempt}/${max})`,
  failedAfter: (max: number) => `QR code generation failed after ${max} attempts. Please request a new validation.`,
  alreadyConnected: 'Session already connected. No QR needed.',
  loggedOut: 'WhatsApp logged this device out. Please request a new validation.',
  replaced: 'This WhatsApp session was opened elsewhere (connection replaced). Please request a new validation.',
  connectionFailed: 'The WhatsApp connection could not be re-established. Please request a new validation.',
} as const;
