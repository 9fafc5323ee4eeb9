import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { BusTarget, TestVhost, busTargets, createTestVhost } from '@app/testing';
import { deadLetterQueue, WORKER_COMMANDS_QUEUE, workerCommandQueue } from './messaging.constants';
import { BusTestApp, createBusTestApp, startBusServer } from './testing/bus-test-app';
import { RawAmqp, openRawAmqp } from './testing/raw-amqp';

const Q = WORKER_COMMANDS_QUEUE;
const OWN = workerCommandQueue('worker-1');

/** What a test needs from the transport underneath: foreign bytes in, dead letters out. */
interface Wire {
  publishRaw(queue: string, content: string): Promise<void>;
  deadLetterContaining(queue: string, marker: string, timeoutMs?: number): Promise<string | undefined>;
  readyCount(queue: string): Promise<number>;
}

describe.each(busTargets())('MessageBus and the bus server on %s', (target: BusTarget) => {
  let vhost: TestVhost | undefined;
  let raw: RawAmqp | undefined;
  let subject: BusTestApp;
  let wire: Wire;
  const seenDeadLetters: string[] = [];

  beforeAll(async () => {
    if (target === 'rabbitmq') {
      vhost = await createTestVhost();
    }
    subject = await createBusTestApp({ amqpUrl: vhost?.url, queues: [Q, OWN] });
    if (vhost) {
      const rawAmqp = await openRawAmqp(vhost.url);
      raw = rawAmqp;
      wire = {
        publishRaw: async (queue, content) => {
          rawAmqp.channel.sendToQueue(queue, Buffer.from(content), { contentType: 'application/json' });
          await sleep(0);
        },
        deadLetterContaining: async (queue, marker, timeoutMs = 5_000) => {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const found = seenDeadLetters.find((content) => content.includes(marker));
            if (found !== undefined || Date.now() > deadline) {
              return found;
            }
            const message = await rawAmqp.channel.get(deadLetterQueue(queue), { noAck: true });
            if (message) {
              seenDeadLetters.push(message.content.toString());
            } else {
              await sleep(20);
            }
          }
        },
        readyCount: async (queue) => (await rawAmqp.channel.checkQueue(queue)).messageCount,
      };
    } else {
      const { broker } = subject;
      wire = {
        publishRaw: (queue, content) => {
          broker.publishRaw(queue, content);
          return Promise.resolve();
        },
        deadLetterContaining: async (queue, marker, timeoutMs = 5_000) => {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const found = broker.deadLetters(queue).find((message) => message.content.includes(marker));
            if (found !== undefined || Date.now() > deadline) {
              return found?.content;
            }
            await sleep(10);
          }
        },
        readyCount: (queue) => Promise.resolve(broker.depth(queue)),
      };
    }
  });

  afterAll(async () => {
    await subject?.app.close();
    await raw?.close();
    await vhost?.drop();
  });

  it('delivers a published body, whole and without an envelope, to its @EventPattern handler with the queue and message id', async () => {
    const body = {
      action: 'validate_number',
      data: { numberId: 6, phoneNumber: '+221771234567' },
      timestamp: 1765029000000,
    };
    await subject.bus.publish(Q, body);
    await subject.recorder.waitFor(() => subject.recorder.of('validate_number').length === 1);
    const [received] = subject.recorder.of('validate_number');
    expect(received?.body).toEqual(body);
    expect(received?.queue).toBe(Q);
    expect(received?.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(received?.redelivered).toBe(false);
  });

  it('consumes every queue it was given, telling the handler which one', async () => {
    const probe = randomUUID();
    await subject.bus.publish(OWN, { action: 'validate_number', probe });
    await subject.recorder.waitFor(() => subject.recorder.received.some((entry) => entry.body.probe === probe));
    expect(subject.recorder.received.find((entry) => entry.body.probe === probe)?.queue).toBe(OWN);
  });

  it('acks an Observable handler once the Observable completes', async () => {
    const probe = randomUUID();
    await subject.bus.publish(Q, { action: 'observable', probe });
    await subject.recorder.waitFor(() => subject.recorder.of('observable').some((entry) => entry.body.probe === probe));
    expect(subject.recorder.of('observable').filter((entry) => entry.body.probe === probe)).toHaveLength(1);
  });

  it('dead-letters a message whose action has no handler, logging action, queue and reason but not the body', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const probe = randomUUID();
    await subject.bus.publish(Q, { action: 'no_such_action', probe, password: 'hunter2-secret' });
    expect(await wire.deadLetterContaining(Q, probe)).toBe(
      JSON.stringify({ action: 'no_such_action', probe, password: 'hunter2-secret' }),
    );
    const lines = warn.mock.calls.map((call) => String(call[0]));
    warn.mockRestore();
    const line = lines.find((text) => text.includes('no_such_action'));
    expect(line).toContain(Q);
    expect(line).toContain('no handler for this action');
    expect(lines.join('\n')).not.toContain('hunter2-secret');
  });

  it('dead-letters a body that is not JSON, and one without an action', async () => {
    const probe = randomUUID();
    await wire.publishRaw(Q, `{"action": "validate_number", "probe": "${probe}-broken"`);
    await wire.publishRaw(Q, JSON.stringify({ data: { numberId: 6 }, probe: `${probe}-no-action` }));
    expect(await wire.deadLetterContaining(Q, `${probe}-broken`)).toBeDefined();
    expect(await wire.deadLetterContaining(Q, `${probe}-no-action`)).toBeDefined();
  });

  it('retries a failing handler once, then dead-letters the message', async () => {
    const probe = randomUUID();
    await subject.bus.publish(Q, { action: 'always_fails', probe });
    expect(await wire.deadLetterContaining(Q, probe)).toBeDefined();
    const attempts = subject.recorder.of('always_fails').filter((entry) => entry.body.probe === probe);
    expect(attempts.map((entry) => entry.redelivered)).toEqual([false, true]);
  });

  it('acks a message whose handler succeeds on the redelivery', async () => {
    const probe = randomUUID();
    await subject.bus.publish(Q, { action: 'fails_once', probe });
    await subject.recorder.waitFor(
      () => subject.recorder.of('fails_once').filter((entry) => entry.body.probe === probe).length === 2,
    );
    expect(await wire.deadLetterContaining(Q, probe, 300)).toBeUndefined();
  });

  it('keeps consuming after bad messages', async () => {
    const probe = randomUUID();
    await wire.publishRaw(Q, 'definitely not json');
    await subject.bus.publish(Q, { action: 'always_fails', probe: `${probe}-failing` });
    await subject.bus.publish(Q, { action: 'validate_number', probe });
    await subject.recorder.waitFor(() => subject.recorder.received.some((entry) => entry.body.probe === probe));
    expect(await wire.deadLetterContaining(Q, `${probe}-failing`)).toBeDefined();
  });

  it('keeps a message published before any consumer of its queue exists, and delivers it once one subscribes', async () => {
    const later = `${Q}.later-${randomUUID().slice(0, 8)}`;
    const publisher = target === 'rabbitmq' ? await createBusTestApp({ amqpUrl: vhost?.url }) : subject;
    await publisher.bus.publish(later, { action: 'validate_number', probe: later });
    await sleep(100);
    expect(await wire.readyCount(later)).toBe(1);
    await startBusServer(subject.app, [later]);
    await subject.recorder.waitFor(() => subject.recorder.received.some((entry) => entry.body.probe === later));
    if (publisher !== subject) {
      await publisher.app.close();
    }
  });

  it('lets close() wait for the handlers in flight, and leaves no message unacked behind', async () => {
    const probe = randomUUID();
    await subject.bus.publish(Q, { action: 'slow', ms: 400, probe });
    await sleep(150); // the handler is running now
    await subject.app.close();
    expect(subject.recorder.of('slow').some((entry) => entry.body.probe === probe)).toBe(true);
    expect(await wire.readyCount(Q)).toBe(0);
    expect(await wire.readyCount(OWN)).toBe(0);
  });
});

describe('Two applications on the in-process bus', () => {
  it("never see each other's messages", async () => {
    const first = await createBusTestApp({ queues: [Q] });
    const second = await createBusTestApp({ queues: [Q] });
    try {
      await first.bus.publish(Q, { action: 'validate_number', from: 'first' });
      await first.recorder.waitFor(() => first.recorder.received.length === 1);
      await sleep(50);
      expect(second.recorder.received).toEqual([]);
    } finally {
      await first.app.close();
      await second.app.close();
    }
  });
});
