import { randomBytes } from 'node:crypto';
import {
  DriverSession,
  DriverSessionListener,
  RestorableSession,
  SessionEndReason,
  WhatsappDriver,
} from './whatsapp-driver';

/** How a simulated connection can be dropped (`drop`): a network loss reconnects, the others end it. */
export type SimulatedDrop = 'connection_lost' | Exclude<SessionEndReason, 'qr_expired'>;

interface SimulatedSession {
  listener: DriverSessionListener;
  state: 'opening' | 'qr' | 'connected' | 'closed';
  timer?: NodeJS.Timeout;
}

/**
 * A WhatsApp stand-in with the real client's shapes: each connection shows one QR whose payload
 * is built like WhatsApp Web's (`https://wa.me/settings/linked_devices#ref,noiseKey,identityKey,advSecret,platform`),
 * connects when a simulated phone scans it, and can be told to drop. It never rotates a QR by
 * itself, so the session manager's timer decides every expiry — the seed's schedule.
 */
export class SimulatorDriver implements WhatsappDriver {
  readonly name = 'simulator';
  readonly rotatesQr = false;
  private readonly sessions = new Map<string, SimulatedSession>();

  /** `reconnectDelayMs`: how long a dropped connection takes to come back (`connection_lost`). */
  constructor(private readonly reconnectDelayMs = 50) {}

  open(target: { sessionId: string }, listener: DriverSessionListener): Promise<DriverSession> {
    const session: SimulatedSession = { listener, state: 'opening' };
    this.sessions.set(target.sessionId, session);
    // The QR comes a moment after the connection opens, as WhatsApp's pair-device stanza does.
    queueMicrotask(() => {
      if (session.state === 'opening') {
        session.state = 'qr';
        listener.qr(simulatedQrPayload());
      }
    });
    return Promise.resolve({
      close: () => {
        session.state = 'closed';
        clearTimeout(session.timer);
        if (this.sessions.get(target.sessionId) === session) {
          this.sessions.delete(target.sessionId);
        }
        return Promise.resolve();
      },
    });
  }

  restorable(): Promise<RestorableSession[]> {
    return Promise.resolve([]); // simulated credentials live in memory only
  }

  simulateScan(sessionId: string): boolean {
    const session = this.sessions.get(sessionId);
    if (session?.state !== 'qr') {
      return false;
    }
    session.state = 'connected';
    session.listener.connected();
    return true;
  }

  /** Drops a connected session; false when it is not connected. */
  drop(sessionId: string, how: SimulatedDrop): boolean {
    const session = this.sessions.get(sessionId);
    if (session?.state !== 'connected') {
      return false;
    }
    if (how === 'connection_lost') {
      // Saved credentials: the link comes back without a QR, as Baileys reconnects after a network drop.
      session.state = 'opening';
      session.timer = setTimeout(() => {
        if (session.state === 'opening') {
          session.state = 'connected';
          session.listener.connected();
        }
      }, this.reconnectDelayMs);
      return true;
    }
    session.state = 'closed';
    this.sessions.delete(sessionId);
    session.listener.ended(how);
    return true;
  }
}

/** `ref,noiseKey,identityKey,advSecret,platform` with WhatsApp's sizes (ref `2@…`, 32-byte keys). */
export function simulatedQrPayload(): string {
  const ref = `2@${randomBytes(48).toString('base64')}`;
  const key = () => randomBytes(32).toString('base64');
  return `https://wa.me/settings/linked_devices#${[ref, key(), key(), key(), '1'].join(',')}`;
}
