import { AppConfig } from '@app/config';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';

/** What a subscriber of a channel hears. */
export interface NotificationListener {
  onNotification(payload: string): void;
  /**
   * Notifications may have been missed (the listening connection was lost or has just been
   * re-established): whatever the subscriber derived from earlier ones must be dropped.
   */
  onGap(): void;
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/**
 * PostgreSQL LISTEN/NOTIFY between the processes that share a database server. Writers send with
 * `pg_notify(channel, payload)` in the transaction that makes the change (delivered at commit);
 * subscribers hear it on one dedicated connection per process, reconnected with backoff.
 *
 * Embedded (PGlite) there is no other process to hear from — the CLI attaches only to create
 * users — so `isLive()` is true and the writing service must notify its own subscribers
 * (see `publishLocally`); PGlite does not deliver NOTIFYs sent through its socket.
 */
@Injectable()
export class DatabaseNotifications implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseNotifications.name);
  private readonly listeners = new Map<string, Set<NotificationListener>>();
  private client?: Client;
  private live = false;
  private closed = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelay = RECONNECT_MIN_MS;

  constructor(private readonly config: AppConfig) {}

  /** Whether every committed notification of every process reaches this one's subscribers now. */
  isLive(): boolean {
    return this.config.embeddedDatabase || this.live;
  }

  /** Subscribes to `channel`; the listening connection opens on the first subscription. */
  subscribe(channel: string, listener: NotificationListener): void {
    let set = this.listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(channel, set);
      if (this.client !== undefined && this.live) {
        this.client.query(`LISTEN ${quoteIdentifier(channel)}`).catch((error: Error) => this.lost(error));
      }
    }
    set.add(listener);
    if (!this.config.embeddedDatabase && this.client === undefined && this.reconnectTimer === undefined) {
      void this.connect();
    }
  }

  /** Delivers a notification to this process's subscribers only (the embedded database's path). */
  publishLocally(channel: string, payload: string): void {
    for (const listener of this.listeners.get(channel) ?? []) {
      listener.onNotification(payload);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.live = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) {
      return;
    }
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'hourglass-listen' });
    this.client = client;
    client.on('error', (error) => this.lost(error, client));
    client.on('end', () => this.lost(new Error('connection ended'), client));
    client.on('notification', ({ channel, payload }) => {
      for (const listener of this.listeners.get(channel) ?? []) {
        listener.onNotification(payload ?? '');
      }
    });
    try {
      await client.connect();
      for (const channel of this.listeners.keys()) {
        await client.query(`LISTEN ${quoteIdentifier(channel)}`);
      }
    } catch (error) {
      this.lost(error as Error, client);
      return;
    }
    if (this.client !== client) {
      return;
    }
    this.live = true;
    this.reconnectDelay = RECONNECT_MIN_MS;
    this.gap(); // Anything derived while we were not listening may be stale.
  }

  private lost(error: Error, client = this.client): void {
    if (client !== this.client || client === undefined) {
      return;
    }
    this.client = undefined;
    const wasLive = this.live;
    this.live = false;
    this.gap();
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.closed) {
      return;
    }
    if (wasLive) {
      this.logger.warn(
        `Lost the LISTEN connection (${error.message}); caches that depend on it are bypassed until it is back`,
      );
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
  }

  private gap(): void {
    for (const set of this.listeners.values()) {
      for (const listener of set) {
        listener.onGap();
      }
    }
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
