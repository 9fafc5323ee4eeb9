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

/**
 * The other processes of this one's cluster (`API_WORKERS` > 1 on one host), reached without the
 * database: `deliver` resolves once each of them has handed the notification to its subscribers.
 */
export interface SiblingRelay {
  deliver(channel: string, payload: string): Promise<void>;
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
 *
 * A NOTIFY reaches the other processes a moment after the commit. Where that moment matters (a
 * revocation must be honoured by the next request, whichever process it reaches), the writer
 * also `announce`s the change: in a cluster, its sibling processes hear it before that resolves.
 */
@Injectable()
export class DatabaseNotifications implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseNotifications.name);
  private readonly listeners = new Map<string, Set<NotificationListener>>();
  /** The channels the current connection has LISTENed on. */
  private readonly listening = new Set<string>();
  private siblings?: SiblingRelay;
  private client?: Client;
  private live = false;
  private closed = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelay = RECONNECT_MIN_MS;
  /** The connection attempt under way, if any. */
  private connecting?: Promise<void>;

  constructor(private readonly config: AppConfig) {}

  /**
   * Whether every committed notification of every process (on `channel`, if given) reaches this
   * one's subscribers now. A channel subscribed to on a live connection is not live until its
   * own LISTEN has completed.
   */
  isLive(channel?: string): boolean {
    return this.config.embeddedDatabase || (this.live && (channel === undefined || this.listening.has(channel)));
  }

  /** Cluster mode: the API processes of this host, reached by IPC (set by the API at start). */
  useSiblings(relay: SiblingRelay): void {
    this.siblings = relay;
  }

  /**
   * Subscribes to `channel`; the listening connection opens on the first subscription. Resolves
   * (never rejects) once this process listens on the channel, or once the attempt to has failed —
   * it is then retried in the background, and `isLive()` says false until it succeeds.
   */
  subscribe(channel: string, listener: NotificationListener): Promise<void> {
    let listening = Promise.resolve();
    let set = this.listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(channel, set);
      const client = this.client;
      if (client !== undefined && this.live) {
        listening = client.query(`LISTEN ${quoteIdentifier(channel)}`).then(
          () => {
            if (this.client === client && this.live) {
              this.listening.add(channel);
              // Whatever its subscribers derived before now was not covered by LISTEN.
              this.gap(channel);
            }
          },
          (error: Error) => this.lost(error, client),
        );
      }
    }
    set.add(listener);
    if (!this.config.embeddedDatabase && this.client === undefined && this.reconnectTimer === undefined) {
      this.connecting = this.connect();
    }
    // A connection under way LISTENs on every subscribed channel, this one included.
    return this.client !== undefined && !this.live && this.connecting !== undefined ? this.connecting : listening;
  }

  /** Delivers a notification to this process's subscribers only (the embedded database's path). */
  publishLocally(channel: string, payload: string): void {
    for (const listener of this.listeners.get(channel) ?? []) {
      listener.onNotification(payload);
    }
  }

  /**
   * A change whose NOTIFY has committed: this process's subscribers hear it now and, in a
   * cluster, every sibling process's before this resolves. Subscribers may hear it twice (the
   * NOTIFY arrives too): for idempotent notifications only, such as cache evictions.
   */
  async announce(channel: string, payload: string): Promise<void> {
    this.publishLocally(channel, payload);
    await this.siblings?.deliver(channel, payload);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.live = false;
    this.listening.clear();
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
        if (this.client === client) {
          this.listening.add(channel);
        }
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
    this.listening.clear();
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
      this.connecting = this.connect();
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
  }

  /** Tells the subscribers (of `channel`, or of all) that notifications may have been missed. */
  private gap(channel?: string): void {
    const sets = channel === undefined ? [...this.listeners.values()] : [this.listeners.get(channel) ?? new Set()];
    for (const set of sets) {
      for (const listener of set) {
        listener.onGap();
      }
    }
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
