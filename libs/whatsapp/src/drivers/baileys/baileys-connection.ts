import { Logger } from '@nestjs/common';
import { DriverSessionListener } from '../whatsapp-driver';
import { databaseAuthState } from './baileys-auth-state';
import { AuthStateStore } from './baileys-auth-state.repository';
import { classifyClose } from './baileys-close-reason';
import { BaileysRuntime, BaileysSocket, ConnectionState } from './baileys-runtime';

export interface BaileysConnectionOptions {
  /** Baileys' `qrTimeout`: how long each QR it shows lives (WHATSAPP_QR_TIMEOUT). */
  qrTimeoutMs: number;
  /** Reconnection backoff after a network failure: base, cap and how many tries before giving up. */
  backoff: { baseMs: number; maxMs: number; retries: number };
  /** Records whether the session is paired and which worker holds it (for restores). */
  onRegistered(registered: boolean): Promise<void>;
}

/**
 * One WhatsApp Web connection of one session, with the reconnections that are not a new QR:
 * Baileys' 515 "restart required" right after a scan, and network failures (with backoff).
 * Everything else is reported to the session manager through `listener`.
 */
export class BaileysConnection {
  private readonly logger = new Logger('WhatsApp');
  private socket: BaileysSocket | undefined;
  private closed = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private updates: Promise<void> = Promise.resolve();
  private creds: { me?: unknown } | undefined;
  private saveCreds: () => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly sessionId: string,
    private readonly listener: DriverSessionListener,
    private readonly runtime: BaileysRuntime,
    private readonly repository: AuthStateStore,
    private readonly options: BaileysConnectionOptions,
  ) {}

  async open(): Promise<void> {
    const { state, saveCreds } = await databaseAuthState(this.repository, this.runtime, this.sessionId);
    this.saveCreds = saveCreds;
    this.creds = state.creds;
    const socket = this.runtime.makeWASocket({
      auth: state,
      qrTimeout: this.options.qrTimeoutMs,
      printQRInTerminal: false,
      markOnlineOnConnect: false,
      syncFullHistory: false,
      logger: silentLogger,
    });
    this.socket = socket;
    socket.ev.on('creds.update', () => {
      this.saveCreds().catch((error: unknown) =>
        this.logger.error(`Could not save the credentials of ${this.sessionId}: ${String(error)}`),
      );
    });
    socket.ev.on('connection.update', (update) => {
      // One update at a time, in order: handling `open` awaits a write, and a `close` right
      // behind it must not overtake it.
      this.updates = this.updates
        .then(() => (socket === this.socket && !this.closed ? this.onUpdate(update) : undefined))
        .catch((error: unknown) => this.logger.error(`Session ${this.sessionId}: ${String(error)}`));
    });
  }

  /**
   * Ends the socket. Credentials that were never paired (no `me`: the QR was not scanned) are
   * worthless and deleted, so abandoned validations leave no keys behind; paired ones are kept.
   */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket?.end(undefined);
    if (this.creds !== undefined && this.creds.me === undefined) {
      await this.repository.wipe(this.sessionId);
    }
  }

  private async onUpdate(update: Partial<ConnectionState>): Promise<void> {
    if (update.qr) {
      this.listener.qr(update.qr);
    }
    if (update.connection === 'open') {
      this.failures = 0;
      await this.options.onRegistered(true);
      this.listener.connected();
    }
    if (update.connection === 'close') {
      await this.onClose(update.lastDisconnect);
    }
  }

  private async onClose(lastDisconnect: ConnectionState['lastDisconnect']): Promise<void> {
    const { action, code, message } = classifyClose(lastDisconnect);
    this.socket = undefined;
    switch (action) {
      case 'restart':
        this.logger.log(
          `Session ${this.sessionId}: restart required after pairing (515), reopening with the saved credentials`,
        );
        await this.reopen();
        return;
      case 'qr_expired':
        this.closed = true;
        this.listener.ended('qr_expired', message);
        return;
      case 'logged_out':
        this.closed = true;
        await this.repository.wipe(this.sessionId);
        this.listener.ended('logged_out', `${code}: ${message}`);
        return;
      case 'replaced':
        this.closed = true;
        this.listener.ended('replaced', `${code}: ${message}`);
        return;
      case 'fatal':
        this.closed = true;
        this.listener.ended('failed', `${code}: ${message}`);
        return;
      case 'reconnect':
        this.scheduleReconnect(code, message);
        return;
    }
  }

  private scheduleReconnect(code: number | undefined, message: string): void {
    const { baseMs, maxMs, retries } = this.options.backoff;
    if (this.failures >= retries) {
      this.closed = true;
      this.listener.ended('failed', `${code ?? 'no code'}: ${message} (after ${retries} reconnections)`);
      return;
    }
    const delay = Math.min(maxMs, baseMs * 2 ** this.failures);
    this.failures++;
    this.logger.warn(
      `Session ${this.sessionId} closed (${code ?? 'no code'}: ${message}); reconnecting in ${delay} ms (try ${this.failures}/${retries})`,
    );
    this.retryTimer = setTimeout(() => void this.reopen(), delay);
  }

  /** A new socket with the saved credentials; if even that fails (database down), the session has failed. */
  private async reopen(): Promise<void> {
    if (this.closed) {
      return;
    }
    try {
      await this.open();
    } catch (error) {
      this.closed = true;
      this.listener.ended('failed', `could not reopen: ${String(error)}`);
    }
  }
}

/** Baileys logs through a pino-like logger; its chatter stays out of ours (our own lines say what matters). */
const silentLogger = {
  level: 'silent',
  child: () => silentLogger,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
