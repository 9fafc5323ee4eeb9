import { setTimeout as sleep } from 'node:timers/promises';
import { TestVhost, busTargets, createTestVhost } from '@app/testing';
import { WORKER_COMMANDS_QUEUE, deadLetterQueue } from '../messaging.constants';
import { BusTestApp, createBusTestApp } from '../testing/bus-test-app';
import { openRawAmqp } from '../testing/raw-amqp';

const describeRabbit = busTargets().includes('rabbitmq') ? describe : describe.skip;

const TOTAL = 300;
const DROP_AT = [60, 180];
const PACE_MS = 10;

describeRabbit('The RabbitMQ bus when the broker drops every connection mid-stream', () => {
  let vhost: TestVhost;
  let subject: BusTestApp;

  beforeAll(async () => {
    vhost = await createTestVhost();
    subject = await createBusTestApp({ amqpUrl: vhost.url, queues: [WORKER_COMMANDS_QUEUE], prefetch: 20 });
  });

  afterAll(async () => {
    await subject?.app.close();
    await vhost?.drop();
  });

  it('handles every message at least once, including those published during the outage, and reconnects its consumers', async () => {
    const publishes: Promise<void>[] = [];
    const drops: Promise<void>[] = [];
    let publishedWhileDisconnected = 0;
    for (let seq = 0; seq < TOTAL; seq += 1) {
      if (DROP_AT.includes(seq)) {
        drops.push(vhost.dropConnections()); // lands ~0.3 s later, while publishing goes on
      }
      if (!subject.bus.isConnected()) {
        publishedWhileDisconnected += 1;
      }
      publishes.push(subject.bus.publish(WORKER_COMMANDS_QUEUE, { action: 'count', seq }));
      await sleep(PACE_MS);
    }
    await Promise.all(drops);
    await Promise.all(publishes); // every publish was confirmed by the broker in the end

    const handled = () => new Set(subject.recorder.of('count').map((entry) => entry.body.seq));
    await subject.recorder.waitFor(() => handled().size === TOTAL, 30_000);
    const calls = subject.recorder.of('count').length;
    console.info(
      `${TOTAL} messages, ${DROP_AT.length} connection drops: ${calls} handler calls, ${calls - TOTAL} duplicate(s), ` +
        `${publishedWhileDisconnected} published while disconnected`,
    );

    expect([...handled()].sort((a, b) => Number(a) - Number(b))).toEqual([...Array(TOTAL).keys()]);
    expect(publishedWhileDisconnected).toBeGreaterThan(0);
    expect(subject.bus.isConnected()).toBe(true);

    const raw = await openRawAmqp(vhost.url);
    try {
      expect((await raw.channel.checkQueue(deadLetterQueue(WORKER_COMMANDS_QUEUE))).messageCount).toBe(0);
    } finally {
      await raw.close();
    }
  });
});
