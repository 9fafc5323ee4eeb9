import { setTimeout as sleep } from 'node:timers/promises';
import {
  MessageBus,
  WORKER_COMMANDS_QUEUE,
  WORKER_EVENTS_QUEUE,
  deadLetterQueue,
  workerCommandQueue,
} from '@app/messaging';
import { TestVhost, busTargets, createTestVhost } from '@app/testing';
import { INestApplication } from '@nestjs/common';
import { Channel, ChannelModel, ConsumeMessage, connect } from 'amqplib';
import { SEED_FAILURE, WHATSAPP_TEST_ENV, startWorker } from './support/whatsapp-app';

/** The seed's Java backend, played by a plain amqplib client: JSON in, `message.action` out. */
class RawBackend {
  private constructor(
    private readonly connection: ChannelModel,
    readonly channel: Channel,
    readonly events: { body: Record<string, unknown>; message: ConsumeMessage }[],
  ) {}

  /** `events`: what an earlier connection already received, to continue after a reconnection. */
  static async open(url: string, events: RawBackend['events'] = []): Promise<RawBackend> {
    const connection = await connect(url);
    connection.on('error', () => undefined); // a forced close must not crash the test process
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    const backend = new RawBackend(connection, channel, events);
    // Declared exactly as the bus declares it (libs/messaging README), so either side may come first.
    await channel.assertQueue(WORKER_EVENTS_QUEUE, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': deadLetterQueue(WORKER_EVENTS_QUEUE) },
    });
    await channel.consume(WORKER_EVENTS_QUEUE, (message) => {
      if (message) {
        const body = JSON.parse(message.content.toString('utf8')) as Record<string, unknown>;
        if (body.action !== 'heartbeat') {
          backend.events.push({ body, message });
        }
        channel.ack(message);
      }
    });
    return backend;
  }

  publish(queue: string, content: string): void {
    this.channel.sendToQueue(queue, Buffer.from(content), { contentType: 'application/json', persistent: true });
  }

  of(numberId: number): Record<string, unknown>[] {
    return this.events.map((event) => event.body).filter((body) => body.numberId === numberId);
  }

  async waitFor(
    numberId: number,
    accept: (bodies: Record<string, unknown>[]) => boolean,
    timeoutMs = 15_000,
  ): Promise<Record<string, unknown>[]> {
    const deadline = Date.now() + timeoutMs;
    while (!accept(this.of(numberId))) {
      if (Date.now() > deadline) {
        throw new Error(
          `Events of number ${numberId} not as expected: ${JSON.stringify(this.of(numberId).map((body) => body.action))}`,
        );
      }
      await sleep(20);
    }
    return this.of(numberId);
  }

  async deadLetters(queue: string): Promise<string[]> {
    const found: string[] = [];
    for (;;) {
      const message = await this.channel.get(deadLetterQueue(queue), { noAck: true });
      if (!message) {
        return found;
      }
      found.push(message.content.toString('utf8'));
    }
  }

  close(): Promise<void> {
    return this.connection.close().catch(() => undefined);
  }
}

const withRabbit = busTargets().includes('rabbitmq');
const actions = (bodies: Record<string, unknown>[]) => bodies.map((body) => body.action);
const seedCommand = (action: string, data: Record<string, unknown>) =>
  JSON.stringify({ action, data, timestamp: Date.now() });

(withRabbit ? describe : describe.skip)('the worker with a non-Nest backend on RabbitMQ', () => {
  let vhost: TestVhost;
  let worker: INestApplication;
  let backend: RawBackend;

  beforeAll(async () => {
    vhost = await createTestVhost();
    worker = await startWorker({
      AMQP_URL: vhost.url,
      LOG_LEVEL: 'silent',
      ...WHATSAPP_TEST_ENV,
      WORKER_ID: 'worker-1',
    });
    backend = await RawBackend.open(vhost.url);
  });

  afterAll(async () => {
    await backend?.close();
    await worker?.close();
    await vhost?.drop();
  });

  it("answers the seed's validate_number with a plain-JSON qr_generated, then connected on a scan", async () => {
    backend.publish(
      WORKER_COMMANDS_QUEUE,
      seedCommand('validate_number', { numberId: 6, phoneNumber: '+221771234567' }),
    );
    await backend.waitFor(6, (bodies) => bodies.length >= 1);
    const first = backend.events.find((event) => event.body.numberId === 6)!;
    expect(first.message.properties).toMatchObject({ contentType: 'application/json', deliveryMode: 2 });
    expect(first.body).toEqual({
      action: 'qr_generated',
      numberId: 6,
      sessionId: 'session_6_+221771234567',
      qrCode: expect.stringMatching(/^data:image\/png;base64,/),
      workerId: 'worker-1',
      timestamp: expect.any(Number),
    });

    backend.publish(workerCommandQueue('worker-1'), seedCommand('simulate_scan', { numberId: 6 }));
    const bodies = await backend.waitFor(6, (all) => all.some((body) => body.action === 'connected'));
    expect(bodies.at(-1)).toEqual({
      action: 'connected',
      numberId: 6,
      sessionId: 'session_6_+221771234567',
      workerId: 'worker-1',
      timestamp: expect.any(Number),
    });

    // The seed's manual regeneration, on the owner's queue, finds the session connected.
    backend.publish(
      workerCommandQueue('worker-1'),
      seedCommand('regenerate_qr', { numberId: 6, phoneNumber: '+221771234567', workerId: 'worker-1' }),
    );
    const after = await backend.waitFor(6, (all) =>
      all.some((body) => body.action === 'connected' && body.message !== undefined),
    );
    expect(after.at(-1)).toEqual({
      action: 'connected',
      numberId: 6,
      sessionId: 'session_6_+221771234567',
      message: 'Session already connected. No QR needed.',
      workerId: 'worker-1',
      timestamp: expect.any(Number),
    });
  });

  it("regenerates 3 times and then sends the seed's error; a manual regeneration starts over", async () => {
    backend.publish(
      WORKER_COMMANDS_QUEUE,
      seedCommand('validate_number', { numberId: 7, phoneNumber: '+221770000007' }),
    );
    const bodies = await backend.waitFor(7, (all) => all.some((body) => body.action === 'error'));
    expect(actions(bodies)).toEqual([
      'qr_generated',
      'qr_regenerating',
      'qr_generated',
      'qr_regenerating',
      'qr_generated',
      'qr_regenerating',
      'qr_generated',
      'error',
    ]);
    expect(bodies.filter((body) => body.action === 'qr_regenerating').map((body) => body.message)).toEqual(
      [1, 2, 3].map((n) => `QR code expired. Generating new QR code (attempt ${n}/3)`),
    );
    expect(bodies.at(-1)).toEqual({
      action: 'error',
      numberId: 7,
      sessionId: 'session_7_+221770000007',
      error: SEED_FAILURE,
      workerId: 'worker-1',
      timestamp: expect.any(Number),
    });
    const timestamps = bodies.map((body) => body.timestamp as number);
    expect([...timestamps].sort((a, b) => a - b)).toEqual(timestamps);

    backend.publish(
      workerCommandQueue('worker-1'),
      seedCommand('regenerate_qr', { numberId: 7, phoneNumber: '+221770000007', workerId: 'worker-1' }),
    );
    const again = await backend.waitFor(
      7,
      (all) => all.filter((body) => body.action === 'qr_regenerating').length === 4,
    );
    expect(again.filter((body) => body.action === 'qr_regenerating').at(-1)).toMatchObject({ attempt: 1 }); // the counter restarted
    backend.publish(WORKER_COMMANDS_QUEUE, seedCommand('close_session', { numberId: 7 }));
  });

  it('dead-letters malformed and unknown commands and keeps working', async () => {
    const bad = [
      'not json at all',
      '{"no":"action"}',
      '{"action":"dance","data":{"numberId":8},"timestamp":1}',
      '{"action":"validate_number","data":{"numberId":"eight","phoneNumber":"+221770000008"},"timestamp":1}',
      '{"action":"validate_number","data":{"numberId":8,"phoneNumber":"0770000008"},"timestamp":1}',
      '{"action":"regenerate_qr","timestamp":1}',
    ];
    for (const content of bad) {
      backend.publish(WORKER_COMMANDS_QUEUE, content);
    }
    const deadline = Date.now() + 15_000;
    const dead: string[] = [];
    while (dead.length < bad.length && Date.now() < deadline) {
      dead.push(...(await backend.deadLetters(WORKER_COMMANDS_QUEUE)));
      await sleep(50);
    }
    expect(dead.sort()).toEqual([...bad].sort());
    expect(backend.of(8)).toEqual([]);

    backend.publish(
      WORKER_COMMANDS_QUEUE,
      seedCommand('validate_number', { numberId: 9, phoneNumber: '+221770000009' }),
    );
    await backend.waitFor(9, (bodies) => bodies.some((body) => body.action === 'qr_generated'));
    backend.publish(WORKER_COMMANDS_QUEUE, seedCommand('close_session', { numberId: 9 }));
  });

  it('loses no event when the broker connections drop in the middle of a flow', async () => {
    backend.publish(
      WORKER_COMMANDS_QUEUE,
      seedCommand('validate_number', { numberId: 10, phoneNumber: '+221770000010' }),
    );
    await backend.waitFor(10, (bodies) => bodies.length >= 1);
    await vhost.dropConnections();
    await backend.close();
    backend = await RawBackend.open(vhost.url, backend.events);
    const received = await backend.waitFor(10, (all) => all.some((body) => body.action === 'error'), 30_000);
    // At least once: an event whose ack the drop swallowed may come twice; none may be missing.
    const bodies = [...new Map(received.map((body) => [body.timestamp, body])).values()].sort(
      (a, b) => (a.timestamp as number) - (b.timestamp as number),
    );
    expect(actions(bodies)).toEqual([
      'qr_generated',
      'qr_regenerating',
      'qr_generated',
      'qr_regenerating',
      'qr_generated',
      'qr_regenerating',
      'qr_generated',
      'error',
    ]);
    expect(bodies.filter((body) => body.action === 'qr_regenerating').map((body) => body.attempt)).toEqual([1, 2, 3]);
    expect(worker.get(MessageBus).isConnected()).toBe(true);
  });
});
