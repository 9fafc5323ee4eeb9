import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { BusListener, BusServer, DeliveryOutcome } from '../bus.server';
import { describeError } from '../describe-error';
import { BusSettings } from '../messaging.options';
import { connectToBroker, watchChannel } from './amqp-connection';
import { BrokerUnreachableError } from './broker-failure';
import { assertBusQueue } from './queue-topology';

/**
 * A start waits this many failed attempts (`reconnectSeconds` apart: about 10 s by default) for a
 * broker that does not answer, then fails; a refused login or virtual host fails at once. Once
 * started, the consumer reconnects for as long as it takes.
 */
const START_ATTEMPTS = 6;

/**
 * Consumes a list of RabbitMQ queues with one channel (prefetch = AMQP_PREFETCH per queue,
 * manual ack). A message is acked only after its handler finished; see `BusServer` for the
 * requeue-once / dead-letter rules. Declarations and consumers are redone on every reconnect.
 */
export class RabbitMqServer extends BusServer {
  private manager: AmqpConnectionManager | undefined;
  private channel: ChannelWrapper | undefined;
  /** The raw channel of the current connection, with the consumer tags to cancel on close. */
  private current: { channel: Channel; consumerTags: string[] } | undefined;
  private closing = false;
  private readonly pendingListeners: [string, BusListener][] = [];

  constructor(
    private readonly queues: readonly string[],
    private readonly settings: BusSettings,
  ) {
    super();
  }

  protected start(callback: (error?: unknown) => void): void {
    let started = false;
    let failedAttempts = 0;
    const manager = connectToBroker(this.settings, 'consumer', this.logger, (failure) => {
      if (started) {
        return true;
      }
      failedAttempts += 1;
      if (failure instanceof BrokerUnreachableError && failedAttempts < START_ATTEMPTS) {
        return true;
      }
      started = true;
      this.closing = true;
      void manager.close();
      callback(failure);
      return false;
    });
    this.manager = manager;
    for (const [event, listener] of this.pendingListeners.splice(0)) {
      manager.on(event, listener);
    }
    manager.on('disconnect', () => this._status$.next('disconnected'));
    const channel = manager.createChannel({
      name: 'bus-consumer',
      confirm: false,
      setup: (raw: Channel) => this.setup(manager, raw),
    });
    this.channel = channel;
    channel.on('error', (error: Error) => {
      if (!started) {
        started = true;
        callback(error);
        return;
      }
      this.logger.error(`Could not set up the consumers: ${describeError(error)}`);
    });
    channel.on('connect', () => {
      this._status$.next('connected');
      this.logger.log(`Consuming ${this.queues.join(', ')}`);
      if (!started) {
        started = true;
        callback();
      }
    });
  }

  /** Unacked messages (handlers cut short by the bound) go back to their queue when the channel closes. */
  protected async stop(): Promise<void> {
    this.closing = true;
    const current = this.current;
    if (current) {
      await Promise.allSettled(current.consumerTags.map((tag) => current.channel.cancel(tag)));
    }
    await this.drain(this.settings.closeTimeoutMs);
    await this.channel
      ?.close()
      .catch((error: unknown) => this.logger.warn(`Closing the consumer channel: ${describeError(error)}`));
    await this.manager?.close();
    this._status$.next('disconnected');
  }

  on(event: string, callback: BusListener): void {
    if (this.manager) {
      this.manager.on(event, callback);
    } else {
      this.pendingListeners.push([event, callback]);
    }
  }

  unwrap<T>(): T {
    if (!this.manager) {
      throw new Error('Not initialized. Call app.startAllMicroservices() first.');
    }
    return this.manager as T;
  }

  private async setup(manager: AmqpConnectionManager, channel: Channel): Promise<void> {
    watchChannel(channel, manager, {
      role: 'consumer',
      isClosing: () => this.closing,
      reconnectSeconds: this.settings.reconnectSeconds,
      logger: this.logger,
    });
    await channel.prefetch(this.settings.prefetch);
    for (const queue of this.queues) {
      await assertBusQueue(channel, queue);
    }
    const consumerTags: string[] = [];
    for (const queue of this.queues) {
      const { consumerTag } = await channel.consume(
        queue,
        (message) => this.onMessage(manager, channel, queue, message),
        { noAck: false },
      );
      consumerTags.push(consumerTag);
    }
    this.current = { channel, consumerTags };
  }

  private onMessage(
    manager: AmqpConnectionManager,
    channel: Channel,
    queue: string,
    message: ConsumeMessage | null,
  ): void {
    if (message === null) {
      // The broker cancelled the consumer (e.g. the queue was deleted): a reconnect redeclares and resubscribes.
      if (!this.closing) {
        this.logger.warn(`RabbitMQ cancelled the consumer of ${queue}; reconnecting`);
        manager.reconnect();
      }
      return;
    }
    const messageId: unknown = message.properties.messageId;
    const info = {
      queue,
      messageId: typeof messageId === 'string' ? messageId : undefined,
      redelivered: message.fields.redelivered,
    };
    void this.handleDelivery(message.content.toString('utf8'), info).then((outcome) =>
      this.settle(channel, queue, message, outcome),
    );
  }

  /**
   * Acks or nacks on the channel that delivered the message. Never on a newer channel: its
   * delivery tags differ, and an unknown tag makes RabbitMQ close that channel.
   */
  private settle(channel: Channel, queue: string, message: ConsumeMessage, outcome: DeliveryOutcome): void {
    try {
      switch (outcome) {
        case 'ack':
          channel.ack(message);
          break;
        case 'requeue':
          channel.nack(message, false, true);
          break;
        case 'dead-letter':
          channel.nack(message, false, false);
          break;
      }
    } catch (error) {
      // The delivering channel is gone: RabbitMQ has already put the message back and will redeliver it.
      this.logger.warn(`Could not ${outcome} a message from ${queue}: ${describeError(error)}; it will be redelivered`);
    }
  }
}
