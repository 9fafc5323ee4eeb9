import { AppConfig } from '@app/config';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import amqp, { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { CloudEvent } from './cloud-event';
import { EVENTS_EXCHANGE } from './domain-events';
import { LocalEventStream } from './local-event-stream';

/** How long the API's start waits at most for its queue to be bound before it serves without it. */
const FIRST_CONNECT_TIMEOUT_MS = 10_000;
const RECONNECT_SECONDS = 2;
const HEARTBEAT_SECONDS = 5;

/**
 * Follows `hourglass.events` for this process (with AMQP_URL): an exclusive, auto-deleted,
 * server-named queue bound with `#`, whose events go to this process's `LocalEventStream`, where
 * the live streams listen. Every API process has its own queue, so each sees every event,
 * whichever process ran the relay. On a reconnect (broker restart, lost connection) a new queue is
 * declared and bound: events published while this process had none are not replayed. No acks
 * (`noAck`): the queue dies with the connection anyway. Logs never show the URL.
 */
@Injectable()
export class AmqpEventFollower implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DomainEvents');
  private manager?: AmqpConnectionManager;
  private channel?: ChannelWrapper;
  private closing = false;
  private unreachableReported = false;

  constructor(
    private readonly config: AppConfig,
    private readonly local: LocalEventStream,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const url = this.config.AMQP_URL;
    if (url === undefined) {
      return; // embedded: the relay publishes to LocalEventStream itself
    }
    this.local.unfollowed(); // until the queue is bound
    const manager = amqp.connect([url], {
      heartbeatIntervalInSeconds: HEARTBEAT_SECONDS,
      reconnectTimeInSeconds: RECONNECT_SECONDS,
      connectionOptions: { clientProperties: { connection_name: `hourglass events follower pid ${process.pid}` } },
    });
    manager.on('disconnect', () => {
      // The exclusive queue dies with the connection: whatever is published until the next one is bound is missed.
      this.local.unfollowed();
      if (!this.closing) {
        this.logger.warn('Lost the RabbitMQ connection that follows domain events; reconnecting');
      }
    });
    manager.on('connectFailed', () => {
      if (!this.unreachableReported) {
        this.unreachableReported = true;
        this.logger.warn(`Cannot reach RabbitMQ to follow domain events; trying every ${RECONNECT_SECONDS} s`);
      }
    });
    this.manager = manager;
    this.channel = manager.createChannel({
      name: 'events-follower',
      confirm: false,
      setup: (raw: Channel) => this.setup(manager, raw),
    });
    this.channel.on('error', (error: Error) => this.logger.warn(`Could not follow domain events: ${error.message}`));
    // Serve once the queue is bound (a stream opened then hears everything after), but never
    // wait on a broker that is down: the first failed attempt, or the bound, ends the wait.
    await Promise.race([
      this.channel.waitForConnect(),
      new Promise<void>((resolve) => manager.once('connectFailed', () => resolve())),
      new Promise<void>((resolve) => setTimeout(resolve, FIRST_CONNECT_TIMEOUT_MS).unref()),
    ]);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.channel?.close().catch(() => undefined);
    await this.manager?.close().catch(() => undefined);
  }

  private async setup(manager: AmqpConnectionManager, channel: Channel): Promise<void> {
    channel.on('error', (error: Error) => this.logger.warn(`RabbitMQ closed the events channel: ${error.message}`));
    // A channel closed while its connection lives is never reopened by amqp-connection-manager:
    // reconnect, which reruns this setup (a new queue, bound again).
    channel.once('close', () => {
      this.local.unfollowed();
      setTimeout(() => {
        if (!this.closing && manager.connection?.connection === channel.connection) {
          manager.reconnect();
        }
      }, RECONNECT_SECONDS * 1000).unref();
    });
    await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, EVENTS_EXCHANGE, '#');
    await channel.consume(queue, (message) => this.deliver(manager, message), { noAck: true });
    this.local.followed();
    this.logger.debug(`Following ${EVENTS_EXCHANGE} through ${queue}`);
    if (this.unreachableReported) {
      this.logger.log('Following domain events again');
      this.unreachableReported = false;
    }
  }

  private deliver(manager: AmqpConnectionManager, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (the queue was deleted): a new one on a new connection.
      if (!this.closing) {
        manager.reconnect();
      }
      return;
    }
    if (!this.local.hasListeners()) {
      return; // no live stream open in this process: nothing would hear it (LocalEventStream keeps nothing)
    }
    const event = parseCloudEvent(message.content);
    if (event === undefined) {
      this.logger.warn(
        `Ignored a message on ${EVENTS_EXCHANGE} that is not a CloudEvent (${message.fields.routingKey})`,
      );
      return;
    }
    this.local.publish(event);
  }
}

function parseCloudEvent(content: Buffer): CloudEvent | undefined {
  try {
    const value: unknown = JSON.parse(content.toString('utf8'));
    const candidate = value as Partial<CloudEvent> | null;
    return typeof candidate === 'object' &&
      candidate !== null &&
      typeof candidate.id === 'string' &&
      typeof candidate.type === 'string' &&
      typeof candidate.data === 'object' &&
      candidate.data !== null
      ? (candidate as CloudEvent)
      : undefined;
  } catch {
    return undefined;
  }
}
