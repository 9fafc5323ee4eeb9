import { setTimeout as sleep } from 'node:timers/promises';
import { EVENTS_EXCHANGE } from '@app/events';
import { TestVhost } from '@app/testing';
import { Channel, ChannelModel, ConsumeMessage, connect } from 'amqplib';

/** One CloudEvent as a consumer of `hourglass.events` received it. */
export interface ReceivedEvent {
  id: string;
  type: string;
  subject: string;
  data: Record<string, unknown>;
  /** The AMQP routing key it arrived with (must equal `type`). */
  routingKey: string;
  contentType: string | undefined;
  /** RabbitMQ handed it to this consumer before (our own ack was lost): not a duplicate publish. */
  redelivered: boolean;
}

/** How often each event id arrived, and what the repeats were. */
export interface DeliveryCounts {
  received: number;
  uniqueIds: number;
  /** Arrivals beyond the first of an id (republished by the relay, or redelivered by the broker). */
  duplicates: number;
  /** Of those, the broker's own redeliveries to this consumer (unacked when its connection dropped). */
  brokerRedeliveries: number;
}

/**
 * A downstream consumer of `hourglass.events`: a durable queue bound with `#` (so it keeps what
 * the relay published while this consumer was disconnected, and survives `rabbitmqctl stop_app`),
 * read with manual acks in arrival order. A broker outage closes its connection; `reconnect()`
 * resumes the same queue. `deleteQueue()` removes the queue (the vhost's drop would too).
 */
export class EventsConsumer {
  /** Every arrival, in the order the broker delivered them (the relay publishes in `seq` order). */
  readonly received: ReceivedEvent[] = [];
  private connection?: ChannelModel;

  private constructor(
    private readonly vhost: TestVhost,
    readonly queue: string,
  ) {}

  /** Declares the exchange (as the relay does) and the durable queue, binds it and starts consuming. */
  static async bind(vhost: TestVhost, queue: string): Promise<EventsConsumer> {
    const consumer = new EventsConsumer(vhost, queue);
    await consumer.reconnect();
    return consumer;
  }

  /** (Re)opens the connection and consumes the queue; retries until the broker answers or `timeoutMs` passes. */
  async reconnect(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.open();
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw error;
        }
        await sleep(500);
      }
    }
  }

  get ids(): Set<string> {
    return new Set(this.received.map((event) => event.id));
  }

  counts(): DeliveryCounts {
    const uniqueIds = this.ids.size;
    return {
      received: this.received.length,
      uniqueIds,
      duplicates: this.received.length - uniqueIds,
      brokerRedeliveries: this.received.filter((event) => event.redelivered).length,
    };
  }

  /** The first arrival of each id, in arrival order. */
  firstArrivals(): ReceivedEvent[] {
    const seen = new Set<string>();
    return this.received.filter((event) => !seen.has(event.id) && seen.add(event.id));
  }

  /** Waits until `done()` holds; false if it still does not after `timeoutMs`. */
  async waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done() && Date.now() < deadline) {
      await sleep(100);
    }
    return done();
  }

  async deleteQueue(): Promise<void> {
    await this.close();
    const connection = await connect(this.vhost.url);
    try {
      const channel = await connection.createChannel();
      await channel.deleteQueue(this.queue);
    } finally {
      await connection.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close().catch(() => undefined);
  }

  private async open(): Promise<void> {
    await this.close();
    const connection = await connect(this.vhost.url);
    connection.on('error', () => undefined); // a broker outage closes it; the drill reconnects
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
      await channel.assertQueue(this.queue, { durable: true });
      await channel.bindQueue(this.queue, EVENTS_EXCHANGE, '#');
      await channel.prefetch(500);
      await channel.consume(this.queue, (message) => message && this.receive(channel, message), { noAck: false });
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
    this.connection = connection;
  }

  private receive(channel: Channel, message: ConsumeMessage): void {
    const event = JSON.parse(message.content.toString('utf8')) as {
      id: string;
      type: string;
      subject: string;
      data: Record<string, unknown>;
    };
    this.received.push({
      id: event.id,
      type: event.type,
      subject: event.subject,
      data: event.data,
      routingKey: message.fields.routingKey,
      contentType: message.properties.contentType as string | undefined,
      redelivered: message.fields.redelivered,
    });
    channel.ack(message);
  }
}
