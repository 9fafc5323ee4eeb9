import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { ConfirmChannel } from 'amqplib';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { BusClient } from '../bus.client';
import type { BusListener } from '../bus.server';
import { encodeBusBody } from '../bus-message';
import { describeError } from '../describe-error';
import { BusSettings } from '../messaging.options';
import { connectToBroker, watchChannel } from './amqp-connection';
import { assertBusQueue } from './queue-topology';
import { BusUnavailableError } from '../messaging.errors';

const RETRY_PAUSE_MS = 100;
const PRECONDITION_FAILED = 406;

/**
 * Publishes to RabbitMQ on a confirm channel: `deliver` resolves only once the broker confirmed.
 * While disconnected, messages wait in amqp-connection-manager's buffer and go out after the
 * reconnect. Each destination queue is declared before its first message and after every
 * reconnect, so a message sent before any consumer exists is kept, not dropped as unroutable.
 */
export class RabbitMqClient extends BusClient {
  private readonly logger = new Logger('MessageBus');
  private manager: AmqpConnectionManager | undefined;
  private channel: ChannelWrapper | undefined;
  private connected = false;
  /** No new publishes once close() began; `stopped` also ends the retries of pending ones. */
  private closing = false;
  private stopped = false;
  /** Every queue published to so far: the reconnect setup declares them all again. */
  private readonly queues = new Set<string>();
  private readonly declared = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly pendingListeners: [string, BusListener][] = [];

  constructor(private readonly settings: BusSettings) {
    super();
  }

  /** Starts connecting in the background; publishing does not need to wait for it. */
  connect(): Promise<void> {
    this.open();
    return Promise.resolve();
  }

  isConnected(): boolean {
    return this.connected;
  }

  deliver(queue: string, body: Record<string, unknown>): Promise<void> {
    let content: Buffer;
    try {
      content = Buffer.from(encodeBusBody(body));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(describeError(error)));
    }
    const publishing = this.publishConfirmed(queue, content);
    this.pending.add(publishing);
    const forget = () => this.pending.delete(publishing);
    publishing.then(forget, forget);
    return publishing;
  }

  /** Waits (bounded) for unconfirmed publishes, then closes the channel and the connection. */
  async close(): Promise<void> {
    if (this.closing) {
      return;
    }
    this.closing = true;
    if (this.pending.size > 0) {
      await Promise.race([
        Promise.allSettled([...this.pending]),
        sleep(this.settings.closeTimeoutMs, undefined, { ref: false }),
      ]);
    }
    this.stopped = true;
    await this.channel
      ?.close()
      .catch((error: unknown) => this.logger.warn(`Closing the publisher channel: ${describeError(error)}`));
    await this.manager?.close();
    this.connected = false;
    this._status$.next('disconnected');
  }

  override on(event: string, callback: BusListener): void {
    if (this.manager) {
      this.manager.on(event, callback);
    } else {
      this.pendingListeners.push([event, callback]);
    }
  }

  unwrap<T>(): T {
    if (!this.manager) {
      throw new Error('Not initialized. Call connect() first.');
    }
    return this.manager as T;
  }

  private open(): ChannelWrapper {
    if (this.closing) {
      throw new Error('The message bus is closed');
    }
    if (this.channel) {
      return this.channel;
    }
    const manager = connectToBroker(this.settings, 'publisher', this.logger);
    this.manager = manager;
    for (const [event, listener] of this.pendingListeners.splice(0)) {
      manager.on(event, listener);
    }
    manager.on('disconnect', () => this.markConnected(false));
    const channel = manager.createChannel({
      name: 'bus-publisher',
      confirm: true,
      setup: (raw: ConfirmChannel) => this.setup(manager, raw),
    });
    channel.on('error', (error: Error) =>
      this.logger.error(`Could not set up the publisher channel: ${describeError(error)}`),
    );
    channel.on('connect', () => this.markConnected(true));
    this.channel = channel;
    return channel;
  }

  private async setup(manager: AmqpConnectionManager, channel: ConfirmChannel): Promise<void> {
    watchChannel(channel, manager, {
      role: 'publisher',
      isClosing: () => this.closing,
      reconnectSeconds: this.settings.reconnectSeconds,
      logger: this.logger,
      onClose: () => this.markConnected(false),
    });
    for (const queue of this.queues) {
      await assertBusQueue(channel, queue).catch((error: unknown) => {
        this.forgetMismatchedQueue(queue, error);
        throw error; // the channel is closed either way: fail this setup, a reconnect follows
      });
    }
  }

  private async publishConfirmed(queue: string, content: Buffer): Promise<void> {
    const channel = this.open();
    const properties = {
      contentType: 'application/json',
      persistent: true,
      messageId: randomUUID(),
      timestamp: Math.floor(Date.now() / 1000), // AMQP timestamps are POSIX seconds
    };
    const deadline = Date.now() + this.settings.publishTimeoutMs;
    for (;;) {
      try {
        await this.declare(channel, queue);
        await channel.sendToQueue(queue, content, { ...properties, timeout: Math.max(1, deadline - Date.now()) });
        return;
      } catch (error) {
        if (this.stopped) {
          throw new Error(`Publishing to ${queue} was cut short by close(): ${describeError(error)}`);
        }
        if (Date.now() >= deadline) {
          throw new BusUnavailableError(
            `Publishing to ${queue} was not confirmed within ${this.settings.publishTimeoutMs} ms: ${describeError(error)}`,
          );
        }
        // A connection lost before the broker's confirm rejects the message ("channel closed")
        // instead of resending it. Send it again (same messageId): while disconnected the
        // ChannelWrapper holds it until the reconnect. At-least-once: a duplicate is possible.
        await sleep(RETRY_PAUSE_MS);
      }
    }
  }

  private declare(channel: ChannelWrapper, queue: string): Promise<void> {
    let declared = this.declared.get(queue);
    if (!declared) {
      this.queues.add(queue);
      // Disconnected, ChannelWrapper.assertQueue is a no-op and the reconnect setup declares it.
      declared = assertBusQueue(channel, queue).catch((error: unknown) => {
        if (!this.forgetMismatchedQueue(queue, error)) {
          this.declared.delete(queue);
          throw error;
        }
        // Declared for our purpose: the message waits in the ChannelWrapper for the new channel.
      });
      this.declared.set(queue, declared);
    }
    return declared;
  }

  /**
   * A queue declared elsewhere with other arguments (say by a Spring service) still routes
   * messages: publish to it, but stop redeclaring it, since each failed declaration makes
   * RabbitMQ close the channel (`watchChannel` then recreates it) and would wedge every setup.
   */
  private forgetMismatchedQueue(queue: string, error: unknown): boolean {
    if ((error as { code?: unknown }).code !== PRECONDITION_FAILED) {
      return false;
    }
    if (this.queues.delete(queue)) {
      this.logger.warn(
        `Queue ${queue} exists with other arguments than the bus declares; publishing to it without redeclaring it`,
      );
    }
    return true;
  }

  private markConnected(connected: boolean): void {
    if (this.connected !== connected) {
      this.connected = connected;
      this._status$.next(connected ? 'connected' : 'disconnected');
    }
  }
}
