import { randomUUID } from 'node:crypto';
import { AppConfig } from '@app/config';
import { MessageBus, WORKER_EVENTS_QUEUE } from '@app/messaging';
import { connect } from 'amqplib';
import { benchPings } from './probe.module';
import type { BenchApi } from './stack';
import type { Metric } from './summary';

const MESSAGES = 5_000;
/** Publishes not yet confirmed, for both sides. */
const IN_FLIGHT = 100;
const TIME_LIMIT_MS = 60_000;

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
 * The bus (issue 7): MessageBus.publish (confirmed, persistent) to a queue the API consumes with
 * its transport (decode, handler, ack), against raw amqplib doing the same on the same broker.
 */
export async function busMetrics(api: BenchApi, log: (line: string) => void): Promise<Metric[]> {
  const bus = api.app.get(MessageBus);
  log(`bus: ${MESSAGES} messages through MessageBus and the API's consumer …`);
  const start = benchPings.count;
  const ours = await pump(
    MESSAGES,
    (i) => bus.publish(WORKER_EVENTS_QUEUE, { action: 'bench_ping', seq: i, timestamp: Date.now() }),
    () => benchPings.count - start,
  );
  const metric: Metric = { metric: 'bus publish → consume → ack', unit: 'msg/s', hourglass: ours };
  if (api.amqpUrl === undefined) {
    return [{ ...metric, note: 'in-process bus; BENCH_AMQP_URL for RabbitMQ and its baseline' }];
  }
  log(`bus: ${MESSAGES} messages through raw amqplib …`);
  const raw = await rawAmqp(api.amqpUrl, api.app.get(AppConfig).AMQP_PREFETCH);
  return [{ ...metric, baseline: { name: 'raw amqplib', value: raw } }];
}
