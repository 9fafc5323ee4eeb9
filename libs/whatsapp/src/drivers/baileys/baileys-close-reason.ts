import { ConnectionState } from './baileys-runtime';

/** Baileys' DisconnectReason codes (baileys/lib/Types: connectionLost and timedOut are both 408). */
export const CLOSE_CODES = {
  loggedOut: 401,
  forbidden: 403,
  timedOut: 408,
  multideviceMismatch: 411,
  connectionClosed: 428,
  connectionReplaced: 440,
  badSession: 500,
  unavailableService: 503,
  restartRequired: 515,
} as const;

/** Baileys ends a QR connection with this message once the server's pairing refs are used up. */
export const QR_REFS_ENDED = 'QR refs attempts ended';

/** What the driver does after a `connection: 'close'`. */
export type CloseAction =
  /** 515 after a scan: reopen at once with the saved credentials; not a QR attempt. */
  | 'restart'
  /** 408 "QR refs attempts ended": the QR expired for good on this connection. */
  | 'qr_expired'
  /** 401: the phone unlinked us; wipe the credentials. */
  | 'logged_out'
  /** 440: another client opened this session; never reconnect (two workers would fight). */
  | 'replaced'
  /** 403, 411: reconnecting cannot help. */
  | 'fatal'
  /** Network loss, a 408 timeout, 428, 500, 503…: reconnect with backoff. */
  | 'reconnect';

/** Classifies `lastDisconnect.error` of a close update (a Boom with `output.statusCode`, or a plain Error). */
export function classifyClose(lastDisconnect: ConnectionState['lastDisconnect']): {
  action: CloseAction;
  code: number | undefined;
  message: string;
} {
  const error = lastDisconnect?.error;
  const output = (error as { output?: { statusCode?: unknown } } | undefined)?.output;
  const code = typeof output?.statusCode === 'number' ? output.statusCode : undefined;
  const message = error?.message ?? 'connection closed';
  switch (code) {
    case CLOSE_CODES.restartRequired:
      return { action: 'restart', code, message };
    case CLOSE_CODES.timedOut:
      return { action: message === QR_REFS_ENDED ? 'qr_expired' : 'reconnect', code, message };
    case CLOSE_CODES.loggedOut:
      return { action: 'logged_out', code, message };
    case CLOSE_CODES.connectionReplaced:
      return { action: 'replaced', code, message };
    case CLOSE_CODES.forbidden:
    case CLOSE_CODES.multideviceMismatch:
      return { action: 'fatal', code, message };
    case undefined:
    default:
      return { action: 'reconnect', code, message };
  }
}
