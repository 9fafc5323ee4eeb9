import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { ChannelModel, ConfirmChannel, connect } from 'amqplib';
import { CLOUDEVENTS_CONTENT_TYPE, CloudEvent } from './cloud-event';
import { EVENTS_EXCHANGE } from './domain-events';

/**
 * Publishes CloudEvents to the durable topic exchange `hourglass.events` on a confirm channel:
 * persistent messages, `content_type: application/cloudevents+json`, routing key = event type,
 * message id = event id. `publish` resolves only once the broker confirmed every message of the
 * batch; on any failure the connection is dropped and the next call reconnects, so the caller
 * (the relay) keeps its rows unsent and tries again. Logs never show the URL (it holds credentials).
 */
export class AmqpEventPublisher {
  private readonly logger = new Logger('OutboxRelay');
  private connection?: ChannelModel;
  private channel?: ConfirmChannel;
  private opening?: Promise<ConfirmChannel>;
  private reported = false;

  constructor(
    private readonly url: string,
    private readonly confirmTimeoutMs: number,
  ) {}

  async publish(events: CloudEvent[]): Promise<void> {
    const channel = await this.open();
    try {
      for (const event of events) {
        channel.publish(EVENTS_EXCHANGE, event.type, Buffer.from(JSON.stringify(event)), {
          persistent: true,
          contentType: CLOUDEVENTS_CONTENT_TYPE,
          messageId: event.id,
          type: event.type,
          timestamp: Math.floor(Date.parse(event.time) / 1000), // AMQP timestamps are POSIX seconds
        });
      }
      await Promise.race([
        channel.waitForConfirms(),
        sleep(this.confirmTimeoutMs, undefined, { ref: false }).then(() => {
          throw new Error(`no confirm within ${this.confirmTimeoutMs} ms`);
        }),
      ]);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    await connection?.close().catch(() => undefined);
  }

  private open(): Promise<ConfirmChannel> {
    if (this.channel !== undefined) {
      return Promise.resolve(this.channel);
    }
    this.opening ??= this.connect().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async connect(): Promise<ConfirmChannel> {
    let connection: ChannelModel | undefined;
    try {
      connection = await connect(this.url, {
        clientProperties: { connection_name: `hourglass outbox relay pid ${process.pid}` },
      });
      // Unhandled, an 'error' event would crash the process; the next publish reconnects.
      connection.on('error', (error: Error) => this.logger.warn(`RabbitMQ connection error: ${error.message}`));
      connection.on('close', () => this.forget(connection));
      const channel = await connection.createConfirmChannel();
      channel.on('error', (error: Error) => this.logger.warn(`RabbitMQ channel error: ${error.message}`));
      channel.on('close', () => this.forget(connection));
      await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
      this.connection = connection;
      this.channel = channel;
      if (this.reported) {
        this.logger.log('Reconnected to RabbitMQ; relaying domain events again');
        this.reported = false;
      }
      return channel;
    } catch (error) {
      await connection?.close().catch(() => undefined);
      if (!this.reported) {
        this.logger.warn(
          `Cannot reach RabbitMQ to relay domain events: ${(error as Error).message}; they wait in the outbox`,
        );
        this.reported = true;
      }
      throw error;
    }
  }

  private forget(connection: ChannelModel | undefined): void {
    if (this.connection === connection) {
      this.connection = undefined;
      this.channel = undefined;
    }
  }
}
