import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveryOutcome } from '../bus.server';
import { InProcessBroker, InProcessMessage } from './in-process-broker.service';

const Q = 'whatsapp.worker.commands';

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met');
    }
    await sleep(5);
  }
}

describe(InProcessBroker.name, () => {
  let broker: InProcessBroker;

  beforeEach(() => {
    broker = new InProcessBroker();
  });

  it('keeps messages published before any consumer and delivers them once one subscribes', async () => {
    broker.publish(Q, { action: 'a', n: 1 });
    broker.publish(Q, { action: 'a', n: 2 });
    await sleep(10);
    expect(broker.depth(Q)).toBe(2);

    const seen: unknown[] = [];
    broker.consume(
      Q,
      (message) => {
        seen.push(JSON.parse(message.content));
        return Promise.resolve('ack');
      },
      10,
    );
    await until(() => seen.length === 2);
    expect(seen).toEqual([
      { action: 'a', n: 1 },
      { action: 'a', n: 2 },
    ]);
    expect(broker.depth(Q)).toBe(0);
  });

  it('delivers asynchronously, never inside publish()', () => {
    const seen: string[] = [];
    broker.consume(
      Q,
      (message) => {
        seen.push(message.content);
        return Promise.resolve('ack');
      },
      1,
    );
    broker.publish(Q, { action: 'a' });
    expect(seen).toEqual([]);
  });

  it('gives handlers a JSON round trip of the body, as the wire would', async () => {
    let content = '';
    broker.consume(
      Q,
      (message) => {
        content = message.content;
        return Promise.resolve('ack');
      },
      1,
    );
    broker.publish(Q, { action: 'a', when: new Date(0), missing: undefined });
    await until(() => content !== '');
    expect(JSON.parse(content)).toEqual({ action: 'a', when: '1970-01-01T00:00:00.000Z' });
  });

  it('spreads messages round-robin across consumers', async () => {
    const byConsumer: Record<string, number> = { first: 0, second: 0 };
    for (const name of ['first', 'second']) {
      broker.consume(
        Q,
        () => {
          byConsumer[name] = (byConsumer[name] ?? 0) + 1;
          return Promise.resolve('ack');
        },
        1,
      );
    }
    for (let n = 0; n < 10; n += 1) {
      broker.publish(Q, { action: 'a', n });
    }
    await until(() => byConsumer.first + byConsumer.second === 10);
    expect(byConsumer).toEqual({ first: 5, second: 5 });
  });

  it('never gives a consumer more unsettled messages than its prefetch', async () => {
    let running = 0;
    let peak = 0;
    let done = 0;
    broker.consume(
      Q,
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(5);
        running -= 1;
        done += 1;
        return 'ack';
      },
      3,
    );
    for (let n = 0; n < 12; n += 1) {
      broker.publish(Q, { action: 'a', n });
    }
    await until(() => done === 12);
    expect(peak).toBe(3);
  });

  it("redelivers a requeued message flagged as redelivered, then dead-letters it into the queue's .dlq", async () => {
    const deliveries: InProcessMessage[] = [];
    broker.consume(
      Q,
      (message): Promise<DeliveryOutcome> => {
        deliveries.push(message);
        return Promise.resolve(message.redelivered ? 'dead-letter' : 'requeue');
      },
      1,
    );
    const published = broker.publish(Q, { action: 'a' });
    await until(() => broker.deadLetters(Q).length === 1);
    expect(deliveries.map((message) => message.redelivered)).toEqual([false, true]);
    expect(broker.deadLetters(Q)[0]).toMatchObject({ messageId: published.messageId, content: '{"action":"a"}' });
  });

  it('keeps undelivered messages queued when a consumer cancels', async () => {
    const cancel = broker.consume(Q, () => Promise.resolve('ack'), 1);
    cancel();
    broker.publish(Q, { action: 'a' });
    await sleep(10);
    expect(broker.depth(Q)).toBe(1);
  });

  it('shares nothing between two broker instances', async () => {
    const other = new InProcessBroker();
    const seen: string[] = [];
    other.consume(
      Q,
      (message) => {
        seen.push(message.content);
        return Promise.resolve('ack');
      },
      1,
    );
    broker.publish(Q, { action: 'a' });
    await sleep(10);
    expect(seen).toEqual([]);
    expect(broker.depth(Q)).toBe(1);
  });
});
