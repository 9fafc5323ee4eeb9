import { randomBytes } from 'node:crypto';
import { Database } from '@app/database';
import {
  DatabaseTarget,
  TcpProxy,
  TestDatabase,
  TestVhost,
  createDatabaseTestApp,
  createTestDatabase,
  createTestVhost,
  databaseTargets,
} from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { Channel, ChannelModel, ConsumeMessage, connect } from 'amqplib';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { CloudEvent } from '../src/cloud-event';
import { EVENTS_EXCHANGE, NewDomainEvent } from '../src/domain-events';
import { EventsModule } from '../src/events.module';
import { LocalEventStream } from '../src/local-event-stream';
import { OutboxRelay } from '../src/outbox-relay.service';
import { OutboxRepository } from '../src/outbox.repository';

const amqpUrl = process.env.TEST_AMQP_URL;
const describeWithBroker = amqpUrl === undefined ? describe.skip : describe;

function granted(userId: number, points: number): NewDomainEvent {
  return {
    type: 'ledger.points.granted',
    aggregateType: 'user',
    aggregateId: String(userId),
    subject: `users/${userId}`,
    data: { userId, points, balance: points, reason: null },
  };
}

async function startApp(database: TestDatabase, env: Record<string, string>, migrate = true) {
  return createDatabaseTestApp({ env: { ...database.env, ...env }, imports: [EventsModule], migrate });
}

async function append(app: INestApplicationContext, events: NewDomainEvent[]): Promise<void> {
  await app.get(Database).transaction((manager) => app.get(OutboxRepository).append(manager, events));
}

async function count(app: INestApplicationContext, where: string): Promise<number> {
  const rows = await app
    .get(DataSource)
    .query<{ n: string }[]>(`SELECT count(*) AS n FROM outbox_events WHERE ${where}`);
  return Number(rows[0].n);
}

async function gauge(name: string): Promise<number> {
  const metric = await register.getSingleMetric(name)?.get();
  return metric?.values[0]?.value ?? NaN;
}

describe.each(databaseTargets())('the outbox on the %s database', (target: DatabaseTarget) => {
  let database: TestDatabase;
  let app: INestApplicationContext;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    app = await startApp(database, {});
  });

  afterAll(async () => {
    await app?.close();
    await database?.cleanup();
  });

  it('keeps no event of a rolled-back transaction', async () => {
    const before = await count(app, 'true');
    await expect(
      app.get(Database).transaction(async (manager) => {
        await app.get(OutboxRepository).append(manager, [granted(1, 5)]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await count(app, 'true')).toBe(before);
  });

  it('hands events to the local stream without RabbitMQ, in seq order, and marks them sent', async () => {
    const seen: CloudEvent[] = [];
    const unsubscribe = app.get(LocalEventStream).subscribe((event) => seen.push(event));
    await append(app, [granted(7, 1)]);
    await append(app, [granted(7, 2), granted(7, 3)]);
    expect(await gauge('hourglass_outbox_backlog_events')).toBeGreaterThanOrEqual(3);
    const result = await app.get(OutboxRelay).relay();
    unsubscribe();
    expect(result).toEqual({ ran: true, published: expect.any(Number) as number });
    const mine = seen.filter((event) => event.subject === 'users/7');
    expect(mine.map((event) => (event.data as { points: number }).points)).toEqual([1, 2, 3]);
    expect(mine[0]).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      source: '/hourglass/ledger',
      type: 'ledger.points.granted',
      time: expect.any(String) as string,
      subject: 'users/7',
      datacontenttype: 'application/json',
      data: { userId: 7, points: 1, balance: 1, reason: null },
    });
    expect(await count(app, 'sent_at IS NULL')).toBe(0);
    expect(await gauge('hourglass_outbox_backlog_events')).toBe(0);
    expect(await gauge('hourglass_outbox_oldest_unsent_age_seconds')).toBe(0);
  });

  it('reports the age of the oldest unsent event', async () => {
    await append(app, [granted(8, 1)]);
    await app
      .get(DataSource)
      .query(`UPDATE outbox_events SET occurred_at = now() - interval '90 seconds' WHERE sent_at IS NULL`);
    expect(await gauge('hourglass_outbox_oldest_unsent_age_seconds')).toBeGreaterThanOrEqual(90);
    await app.get(OutboxRelay).relay();
  });

  it('purges only the sent events older than the retention', async () => {
    await append(app, [granted(9, 1), granted(9, 2)]);
    await app.get(OutboxRelay).relay();
    await append(app, [granted(9, 3)]); // unsent: never purged, however old
    await app.get(DataSource).query(`UPDATE outbox_events SET occurred_at = now() - interval '30 days'`);
    await app
      .get(DataSource)
      .query(
        `UPDATE outbox_events SET sent_at = now() - interval '8 days' WHERE subject = 'users/9' AND sent_at IS NOT NULL AND (payload->>'points')::int = 1`,
      );
    const purged = await app.get(OutboxRepository).purgeSent(7 * 24 * 3600_000);
    expect(purged).toBe(1);
    expect(await count(app, `subject = 'users/9'`)).toBe(2);
    await app.get(OutboxRelay).relay();
  });
});

describeWithBroker.each(databaseTargets())('the outbox relay to RabbitMQ on the %s database', (target) => {
  let database: TestDatabase;
  let vhost: TestVhost;
  let proxy: TcpProxy;
  let app: INestApplicationContext;
  let consumer: ChannelModel;
  let channel: Channel;
  const received: ConsumeMessage[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(target);
    vhost = await createTestVhost();
    const broker = new URL(vhost.url);
    proxy = await TcpProxy.start(broker.hostname, Number(broker.port || 5672));
    app = await startApp(database, { AMQP_URL: proxy.wrap(vhost.url) });
    consumer = await connect(vhost.url);
    channel = await consumer.createChannel();
    await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
    const queue = `test.${randomBytes(4).toString('hex')}`;
    await channel.assertQueue(queue, { exclusive: true });
    await channel.bindQueue(queue, EVENTS_EXCHANGE, 'ledger.#');
    await channel.consume(queue, (message) => message && received.push(message), { noAck: true });
  });

  afterAll(async () => {
    await consumer?.close().catch(() => undefined);
    await app?.close();
    await proxy?.cut();
    await vhost?.drop();
    await database?.cleanup();
  });

  async function receivedFor(subject: string, count: number): Promise<CloudEvent[]> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const events = received
        .map((message) => JSON.parse(message.content.toString()) as CloudEvent)
        .filter((event) => event.subject === subject);
      if (events.length >= count || Date.now() > deadline) {
        return events;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('publishes CloudEvents to the hourglass.events topic exchange with the AMQP headers', async () => {
    await append(app, [granted(21, 4)]);
    await app.get(OutboxRelay).relay();
    const [event] = await receivedFor('users/21', 1);
    const message = received.find((m) => m.properties.messageId === event.id);
    expect(message?.fields.routingKey).toBe('ledger.points.granted');
    expect(message?.fields.exchange).toBe(EVENTS_EXCHANGE);
    expect(message?.properties.contentType).toBe('application/cloudevents+json');
    expect(message?.properties.deliveryMode).toBe(2);
    expect(event).toMatchObject({ specversion: '1.0', type: 'ledger.points.granted', data: { points: 4 } });
    expect(await count(app, 'sent_at IS NULL')).toBe(0);
  });

  it('keeps events unsent while the broker is unreachable and delivers them after it is back', async () => {
    await proxy.cut();
    await append(app, [granted(22, 1), granted(22, 2)]);
    await expect(app.get(OutboxRelay).relay()).rejects.toThrow();
    expect(await count(app, `subject = 'users/22' AND sent_at IS NULL`)).toBe(2);
    await proxy.restore();
    await app.get(OutboxRelay).relay();
    const events = await receivedFor('users/22', 2);
    expect(events.map((event) => (event.data as { points: number }).points)).toEqual([1, 2]);
    expect(await count(app, `subject = 'users/22' AND sent_at IS NULL`)).toBe(0);
  });

  it('keeps the order of an aggregate across many transactions', async () => {
    for (let points = 1; points <= 30; points++) {
      await append(app, [granted(23, points)]);
    }
    await app.get(OutboxRelay).relay();
    const events = await receivedFor('users/23', 30);
    expect(events.map((event) => (event.data as { points: number }).points)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
  });

  if (target === 'postgres') {
    it('publishes each event once when two relays (replicas) run at the same time', async () => {
      const second = await startApp(database, { AMQP_URL: vhost.url }, false);
      try {
        const writes = (async () => {
          for (let points = 1; points <= 200; points++) {
            await append(app, [granted(24, points)]);
          }
        })();
        const relays = [app, second].map(async (replica) => {
          for (let round = 0; round < 40; round++) {
            await replica.get(OutboxRelay).relay();
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        });
        await Promise.all([writes, ...relays]);
        await app.get(OutboxRelay).relay();
        const events = await receivedFor('users/24', 200);
        await new Promise((resolve) => setTimeout(resolve, 300)); // a duplicate would arrive by now
        const again = await receivedFor('users/24', 201);
        expect(again).toHaveLength(200);
        expect(new Set(events.map((event) => event.id)).size).toBe(200);
        expect(events.map((event) => (event.data as { points: number }).points)).toEqual(
          Array.from({ length: 200 }, (_, i) => i + 1),
        );
      } finally {
        await second.close();
      }
    });
  }
});
