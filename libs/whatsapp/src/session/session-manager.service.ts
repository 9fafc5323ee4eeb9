import { Logger } from '@nestjs/common';
import { DriverSession, SessionEndReason, WhatsappDriver } from '../drivers/whatsapp-driver';
import {
  RegenerateQrCommand,
  ValidateNumberCommand,
  WhatsappTexts,
  WorkerEvent,
  sessionIdOf,
} from '../whatsapp-messages';
import { CommandLedger } from './command-ledger';
import { KeyedLock } from './keyed-lock';
import { MonotonicClock } from './monotonic-clock';
import { qrImageDataUrl } from './qr-image';

/** Where the manager's events go: the bus queue `whatsapp.worker.events` in the apps, an array in tests. */
export type EventSink = (event: WorkerEvent) => Promise<void>;

export interface SessionManagerOptions {
  workerId: string;
  /** How long one QR lives (WHATSAPP_QR_TIMEOUT, ms). */
  qrTimeoutMs: number;
  /** Automatic regenerations before giving up (WHATSAPP_MAX_QR_RETRIES). */
  maxQrRetries: number;
  /** With a driver that rotates QRs itself, the manager's timer waits this much longer, as a watchdog. */
  watchdogGraceMs?: number;
  /** Turns a QR payload into the image sent to the backend (default: a PNG data URL). */
  renderQr?: (payload: string) => Promise<string>;
}

type SessionState = 'opening' | 'qr' | 'connected';

interface Session {
  numberId: number;
  phoneNumber: string;
  sessionId: string;
  state: SessionState;
  /** Automatic regenerations used since the last validation, manual regeneration or connection. */
  attempts: number;
  /** Bumped for every driver connection, so callbacks of a replaced connection are ignored. */
  generation: number;
  driverSession?: DriverSession;
  timer?: NodeJS.Timeout;
}

/**
 * The QR lifecycle of seed 004, one state machine per number: a QR lives `qrTimeoutMs`; on expiry
 * it is regenerated up to `maxQrRetries` times (`qr_regenerating` n/max, then `qr_generated`),
 * after which an `error` is sent and the session removed. A connection resets the counter. Every
 * command and driver callback for a number runs under that number's lock, so one number never
 * has two sessions on this worker.
 */
export class SessionManager {
  private readonly logger = new Logger('WhatsApp');
  private readonly sessions = new Map<number, Session>();
  private readonly lock = new KeyedLock<number>();
  private readonly seen = new CommandLedger();
  private readonly clock = new MonotonicClock();
  private stopped = false;

  constructor(
    private readonly driver: WhatsappDriver,
    private readonly emit: EventSink,
    private readonly options: SessionManagerOptions,
  ) {}

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** `validate_number`: starts a session unless one is already running for the number. */
  validate(command: ValidateNumberCommand): Promise<void> {
    const { numberId, phoneNumber } = command.data;
    return this.lock.run(numberId, async () => {
      if (!this.seen.first(numberId, command)) {
        return;
      }
      const existing = this.sessions.get(numberId);
      if (existing) {
        this.logger.log(`Session ${existing.sessionId} already exists (${existing.state}); validation request ignored`);
        if (existing.state === 'connected') {
          await this.send(existing, { action: 'connected' });
        }
        return;
      }
      await this.start(numberId, phoneNumber);
    });
  }

  /** `regenerate_qr` (seed: manual regeneration): a fresh QR with the counter at 0, unless connected. */
  regenerate(command: RegenerateQrCommand): Promise<void> {
    const { numberId, phoneNumber } = command.data;
    return this.lock.run(numberId, async () => {
      if (!this.seen.first(numberId, command)) {
        return;
      }
      this.logger.log(`Manual QR regeneration requested for number ${numberId}...`);
      const existing = this.sessions.get(numberId);
      if (existing?.state === 'connected') {
        await this.send(existing, { action: 'connected', message: WhatsappTexts.alreadyConnected });
        return;
      }
      if (existing) {
        this.logger.log('Closing the existing session to regenerate the QR...');
        await this.remove(existing);
        this.logger.log('Old session closed');
      }
      this.logger.log(`QR attempt counter reset for number ${numberId}`);
      this.logger.log('Creating a new session to generate a new QR...');
      await this.start(numberId, phoneNumber);
      this.logger.log(`New session created - new QR being generated for number ${numberId}`);
    });
  }

  /** `simulate_scan`: true when a simulated phone scanned a QR on display. */
  simulateScan(command: { data: { numberId: number } }): Promise<boolean> {
    const { numberId } = command.data;
    return this.lock.run(numberId, () => {
      const session = this.sessions.get(numberId);
      const scanned =
        session !== undefined && this.driver.simulateScan !== undefined && this.driver.simulateScan(session.sessionId);
      if (!scanned) {
        this.logger.warn(
          `Simulated scan for number ${numberId} ignored: ${this.driver.simulateScan ? 'no QR on display' : `the ${this.driver.name} driver cannot simulate scans`}`,
        );
      }
      return Promise.resolve(scanned);
    });
  }

  /** `close_session`: ends the number's session quietly (credentials kept). */
  close(command: { data: { numberId: number }; timestamp: number; action: string }): Promise<void> {
    const { numberId } = command.data;
    return this.lock.run(numberId, async () => {
      const session = this.sessions.get(numberId);
      if (session && this.seen.first(numberId, command)) {
        await this.remove(session);
        this.logger.log(`Session ${session.sessionId} closed`);
      }
    });
  }

  /** Reopens sessions the driver kept credentials for (a restarted worker), without a QR. */
  async restore(): Promise<number> {
    const restorable = await this.driver.restorable();
    await Promise.all(
      restorable.map(({ numberId, phoneNumber }) =>
        this.lock.run(numberId, async () => {
          if (!this.sessions.has(numberId)) {
            this.logger.log(`Restoring session ${sessionIdOf(numberId, phoneNumber)}`);
            await this.start(numberId, phoneNumber);
          }
        }),
      ),
    );
    return restorable.length;
  }

  /** Closes every connection (credentials kept) without events: the process is stopping. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [...this.sessions.values()].map((session) => this.lock.run(session.numberId, () => this.remove(session))),
    );
  }

  private async start(numberId: number, phoneNumber: string): Promise<void> {
    const session: Session = {
      numberId,
      phoneNumber,
      sessionId: sessionIdOf(numberId, phoneNumber),
      state: 'opening',
      attempts: 0,
      generation: 0,
    };
    this.sessions.set(numberId, session);
    await this.connect(session);
  }

  /** Opens a driver connection for `session`; its callbacks are queued on the number's lock. */
  private async connect(session: Session): Promise<void> {
    this.logger.log(`Creating new WhatsApp session: ${session.sessionId}`);
    const generation = ++session.generation;
    session.state = 'opening';
    const onCallback = (handle: (current: Session) => Promise<void>) => {
      void this.lock
        .run(session.numberId, async () => {
          if (!this.stopped && this.sessions.get(session.numberId) === session && session.generation === generation) {
            await handle(session);
          }
        })
        .catch((error: unknown) => this.logger.error(`Session ${session.sessionId}: ${String(error)}`));
    };
    try {
      session.driverSession = await this.driver.open(session, {
        qr: (payload) => onCallback((current) => this.onQr(current, payload)),
        connected: () => onCallback((current) => this.onConnected(current)),
        ended: (reason, detail) => onCallback((current) => this.onEnded(current, reason, detail)),
      });
    } catch (error) {
      this.sessions.delete(session.numberId);
      this.logger.error(`Could not open WhatsApp session ${session.sessionId}: ${String(error)}`);
      await this.send(session, { action: 'error', error: WhatsappTexts.connectionFailed });
    }
  }

  private async onQr(session: Session, payload: string): Promise<void> {
    if (session.state === 'qr') {
      await this.expire(session, payload); // the driver rotated the QR by itself: the previous one expired
    } else if (session.state === 'opening') {
      await this.show(session, payload);
    }
  }

  private async show(session: Session, payload: string): Promise<void> {
    session.state = 'qr';
    this.arm(session);
    const qrCode = await (this.options.renderQr ?? qrImageDataUrl)(payload);
    this.logger.log(`QR Code generated for ${session.sessionId}`);
    if (await this.send(session, { action: 'qr_generated', qrCode })) {
      this.logger.log(`QR Code sent to backend for number ${session.numberId}`);
    }
  }

  /** One QR expired: regenerate (attempt n/max) or, past the limit, give up and remove the session. */
  private async expire(session: Session, rotatedPayload?: string): Promise<void> {
    clearTimeout(session.timer);
    const max = this.options.maxQrRetries;
    if (session.attempts >= max) {
      this.logger.log(`QR code expired for ${session.sessionId}. Attempt ${max}/${max}`);
      this.logger.warn(`Max QR retry attempts (${max}) reached for ${session.sessionId}. Giving up.`);
      await this.remove(session);
      await this.send(session, { action: 'error', error: WhatsappTexts.failedAfter(max) });
      return;
    }
    const attempt = ++session.attempts;
    this.logger.log(`QR code expired for ${session.sessionId}. Attempt ${attempt}/${max}`);
    this.logger.log(`Regenerating QR code for ${session.sessionId} (attempt ${attempt}/${max})...`);
    await this.send(session, {
      action: 'qr_regenerating',
      attempt,
      maxAttempts: max,
      message: WhatsappTexts.qrExpired(attempt, max),
    });
    if (rotatedPayload !== undefined) {
      session.state = 'opening';
      await this.show(session, rotatedPayload);
      return;
    }
    await session.driverSession?.close();
    await this.connect(session);
  }

  private async onConnected(session: Session): Promise<void> {
    clearTimeout(session.timer);
    session.state = 'connected';
    session.attempts = 0;
    this.logger.log(`Session ${session.sessionId} connected successfully`);
    await this.send(session, { action: 'connected' });
  }

  private async onEnded(session: Session, reason: SessionEndReason, detail?: string): Promise<void> {
    if (reason === 'qr_expired' && session.state !== 'connected') {
      await this.expire(session);
      return;
    }
    this.logger.warn(`Session ${session.sessionId} ended: ${reason}${detail ? ` (${detail})` : ''}`);
    await this.remove(session);
    await this.send(session, { action: 'error', error: endText(reason) });
  }

  private arm(session: Session): void {
    clearTimeout(session.timer);
    const generation = session.generation;
    const grace = this.driver.rotatesQr ? (this.options.watchdogGraceMs ?? 5_000) : 0;
    session.timer = setTimeout(() => {
      void this.lock
        .run(session.numberId, async () => {
          if (
            !this.stopped &&
            this.sessions.get(session.numberId) === session &&
            session.generation === generation &&
            session.state === 'qr'
          ) {
            await this.expire(session);
          }
        })
        .catch((error: unknown) => this.logger.error(`Session ${session.sessionId}: ${String(error)}`));
    }, this.options.qrTimeoutMs + grace);
  }

  private async remove(session: Session): Promise<void> {
    clearTimeout(session.timer);
    session.generation++;
    if (this.sessions.get(session.numberId) === session) {
      this.sessions.delete(session.numberId);
    }
    await session.driverSession?.close();
  }

  /** Publishes one event; false (logged) when the bus refused it. */
  private async send(
    session: Session,
    fields: DistributiveOmit<WorkerEvent, 'numberId' | 'sessionId' | 'workerId' | 'timestamp'>,
  ): Promise<boolean> {
    const event = {
      ...fields,
      numberId: session.numberId,
      sessionId: session.sessionId,
      workerId: this.options.workerId,
      timestamp: this.clock.now(),
    };
    try {
      await this.emit(event);
      return true;
    } catch (error) {
      this.logger.error(
        `Could not send ${event.action} for number ${session.numberId} to the backend: ${String(error)}`,
      );
      return false;
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function endText(reason: SessionEndReason): string {
  switch (reason) {
    case 'logged_out':
      return WhatsappTexts.loggedOut;
    case 'replaced':
      return WhatsappTexts.replaced;
    case 'qr_expired':
    case 'failed':
      return WhatsappTexts.connectionFailed;
  }
}
