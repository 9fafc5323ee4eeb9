import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TestVhost } from '@app/testing';
import { ChannelModel, ConsumeMessage, connect } from 'amqplib';

const run = promisify(execFile);
const RABBITMQCTL = process.env.RABBITMQCTL ?? '/usr/sbin/rabbitmqctl';
const TRACE_EXCHANGE = 'amq.rabbitmq.trace';

/** One message some process published, as the broker accepted it. */
export interface TappedMessage {
  /** The queue it was published to (the bus publishes to queues through the default exchange). */
  queue: string;
  body: Record<string, unknown>;
  receivedAt: number;
}

/**
 * Every message published in a vhost, read from RabbitMQ's firehose (`rabbitmqctl trace_on`): the
 * broker copies each publish to `amq.rabbitmq.trace`, so a drill sees exactly what the workers and
 * APIs sent without taking anything from their queues. It is the durable record the product has
 * not got: "this event was published once". Tracing is per vhost and does not survive a restart of
 * the broker's app (`stop_app`/`start_app`): a drill that restarts RabbitMQ must open a new tap.
 */
export class BusTap {
  readonly messages: TappedMessage[] = [];

  private constructor(
    private readonly vhost: TestVhost,
    private readonly connection: ChannelModel,
  ) {}

  static async open(vhost: TestVhost): Promise<BusTap> {
    await run(RABBITMQCTL, ['-q', 'trace_on', '-p', vhost.vhost], { timeout: 30_000 });
    const connection = await connect(vhost.url);
    connection.on('error', () => undefined); // a broker outage ends the tap, not the test process
    const tap = new BusTap(vhost, connection);
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    // Only publishes (`publish.<exchange>`), not the matching `deliver.<queue>` copies.
    await channel.bindQueue(queue, TRACE_EXCHANGE, 'publish.#');
    await channel.consume(queue, (message) => message && tap.receive(message), { noAck: true });
    return tap;
  }

  /** What was published to `queue`, in the order the broker saw it. */
  on(queue: string): TappedMessage[] {
    return this.messages.filter((message) => message.queue === queue);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
    await run(RABBITMQCTL, ['-q', 'trace_off', '-p', this.vhost.vhost], { timeout: 30_000 }).catch(() => undefined);
  }

  private receive(message: ConsumeMessage): void {
    const keys = (message.properties.headers ?? {}).routing_keys as unknown;
    const queue = Array.isArray(keys) && typeof keys[0] === 'string' ? keys[0] : '';
    let body: Record<string, unknown>;
    try {
      const parsed = JSON.parse(message.content.toString('utf8')) as unknown;
      body = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed };
    } catch {
      body = { unparsable: message.content.toString('utf8').slice(0, 200) };
    }
    this.messages.push({ queue, body, receivedAt: Date.now() });
  }
}
