import { randomUUID } from 'node:crypto';
import { ConfigModule, loadConfig } from '@app/config';
import { BUS_TRANSPORT, BusServerFactory, MessageBus, MessagingModule, deadLetterQueue } from '@app/messaging';
import { Controller, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern } from '@nestjs/microservices';
import { connect } from 'amqplib';
import type { Metric } from './summary';

const MESSAGES = 5_000;
/** Publishes not yet confirmed, for both sides. */
const IN_FLIGHT = 100;
const TIME_LIMIT_MS = 60_000;

@Injectable()
class PingCounter {
  count = 0;
}

@Controller()
class PingConsumer {
  constructor(private readonly pings: PingCounter) {}

  @EventPattern('bench_ping', BUS_TRANSPORT)
  ping(): void {
    this.pings.count++;
  }
}

/** Runs `publish(i)` for i < count with at most IN_FLIGHT pending, then waits for `consumed()` to reach count. */
async function pump(count: number, publish: (i: number) => Promise<unknown>, consumed: () => number): Promise<number> {
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      await publish(next++);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  while (consumed() < count) {
    if (performance.now() - started > TIME_LIMIT_MS) {
      throw new Error(`only ${consumed()} of ${count} messages consumed after ${TIME_LIMIT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return count / ((performance.now() - started) / 1000);
}

/** Raw amqplib: a durable queue, persistent messages on a confirm channel, a consumer acking each. */
async function rawAmqp(url: string, prefetch: number): Promise<number> {
  const connection = await connect(url);
  try {
    const publisher = await connection.createConfirmChannel();
    const consumer = await connection.createChannel();
    const queue = `bench.raw.${randomUUID()}`;
    await consumer.assertQueue(queue, { durable: true });
    await consumer.prefetch(prefetch);
    let received = 0;
    await consumer.consume(queue, (message) => {
      if (message !== null) {
        JSON.parse(message.content.toString('utf8'));
        received++;
        consumer.ack(message);
      }
    });
    const body = (i: number) => Buffer.from(JSON.stringify({ action: 'bench_ping', seq: i, timestamp: Date.now() }));
    const perSecond = await pump(
      MESSAGES,
      (i) =>
        new Promise<void>((resolve, reject) =>
          publisher.sendToQueue(queue, body(i), { persistent: true, contentType: 'application/json' }, (error) =>
            error ? reject(error as Error) : resolve(),
          ),
        ),
      () => received,
    );
    await consumer.deleteQueue(queue);
    return perSecond;
  } finally {
    await connection.close();
  }
}

/**
 * The bus (issue 7), a library measurement in this process (the API is not running): MessageBus.publish
 * (confirmed, persistent) to a queue of its own that the bus server consumes (decode, handler, ack),
 * against raw amqplib doing the same on the same broker.
 */
export async function busMetrics(log: (line: string) => void): Promise<Metric[]> {
  const amqpUrl = process.env.BENCH_AMQP_URL?.trim() || undefined;
  const { config } = loadConfig({
    LOG_LEVEL: 'silent',
    JWT_SIGNING_KEY: randomUUID() + randomUUID(),
    ...(amqpUrl ? { AMQP_URL: amqpUrl } : {}),
  });
  const queue = `bench.ping.${randomUUID()}`;

  @Module({
    imports: [ConfigModule.forRoot(config), MessagingModule.forRoot()],
    controllers: [PingConsumer],
    providers: [PingCounter],
  })
  class BusBenchModule {}

  const app = await NestFactory.create(BusBenchModule, { logger: false });
  app.connectMicroservice({ strategy: app.get(BusServerFactory).create([queue]) });
  await app.init();
  await app.startAllMicroservices();
  try {
    const bus = app.get(MessageBus);
    const pings = app.get(PingCounter);
    log(`bus: ${MESSAGES} messages through MessageBus and its consumer …`);
    const ours = await pump(
      MESSAGES,
      (i) => bus.publish(queue, { action: 'bench_ping', seq: i, timestamp: Date.now() }),
      () => pings.count,
    );
    const metric: Metric = { metric: 'bus publish → consume → ack', unit: 'msg/s', hourglass: ours };
    if (amqpUrl === undefined) {
      return [{ ...metric, note: 'in-process bus; BENCH_AMQP_URL for RabbitMQ and its baseline' }];
    }
    log(`bus: ${MESSAGES} messages through raw amqplib …`);
    const raw = await rawAmqp(amqpUrl, config.AMQP_PREFETCH);
    return [{ ...metric, baseline: { name: 'raw amqplib', value: raw } }];
  } finally {
    await app.close();
    if (amqpUrl !== undefined) {
      await deleteQueues(amqpUrl, [queue, deadLetterQueue(queue)]);
    }
  }
}

/** The bench's own queues go once it is done (the broker is shared). */
async function deleteQueues(url: string, queues: string[]): Promise<void> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) {
      await channel.deleteQueue(queue);
    }
  } finally {
    await connection.close();
  }
}
