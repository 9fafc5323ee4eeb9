/**
 * What the session manager needs from a WhatsApp client. The manager owns the QR lifecycle (the
 * lifetime timer, the attempt counter, the events); a driver only opens connections and reports
 * what happens on them. Reconnections that are not a new QR (Baileys' 515 restart after a scan, a
 * network drop with saved credentials) stay inside the driver.
 */
export type DriverName = 'simulator' | 'baileys';

/** Why a driver session ended for good (the manager then removes it, or regenerates on `qr_expired`). */
export type SessionEndReason =
  /** The driver ran out of QR codes on its own (Baileys: "QR refs attempts ended"). */
  | 'qr_expired'
  /** The phone unlinked this device (401): the credentials were wiped. */
  | 'logged_out'
  /** Another client opened the same session (440): never reconnect, two workers would fight. */
  | 'replaced'
  /** Reconnecting failed too many times, or the connection broke in an unexpected way. */
  | 'failed';

export interface DriverSessionListener {
  /** A new QR payload is on display (the first one, or one the driver rotated in by itself). */
  qr(payload: string): void;
  /** The phone scanned the QR, or saved credentials reconnected. */
  connected(): void;
  ended(reason: SessionEndReason, detail?: string): void;
}

export interface DriverSession {
  /** Closes the connection; saved credentials are kept. Idempotent. */
  close(): Promise<void>;
}

/** A session a restarted worker can reopen without a QR: it was connected and its credentials are stored. */
export interface RestorableSession {
  numberId: number;
  phoneNumber: string;
}

export interface WhatsappDriver {
  readonly name: DriverName;
  /**
   * True when the driver shows a new QR by itself once the current one expires (Baileys does,
   * every `qrTimeout`); the manager then counts those QRs and its own timer is only a watchdog.
   */
  readonly rotatesQr: boolean;
  open(
    target: { sessionId: string; numberId: number; phoneNumber: string },
    listener: DriverSessionListener,
  ): Promise<DriverSession>;
  /** Sessions this worker had connected before it stopped. */
  restorable(): Promise<RestorableSession[]>;
  /** Simulator only: a phone scans the QR on display; false when no QR is on display. */
  simulateScan?(sessionId: string): boolean;
}

export const WHATSAPP_DRIVER = Symbol('WHATSAPP_DRIVER');
