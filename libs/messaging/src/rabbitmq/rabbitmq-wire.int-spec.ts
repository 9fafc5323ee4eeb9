import { randomUUID } from 'node:crypto';
import { TestVhost, busTargets, createTestVhost } from '@app/testing';
import { WORKER_COMMANDS_QUEUE, WORKER_EVENTS_QUEUE, deadLetterQueue } from '../messaging.constants';
import { BusTestApp, createBusTestApp, startBusServer } from '../testing/bus-test-app';
import { RawAmqp, openRawAmqp, takeMessages } from '../testing/raw-amqp';
import { busQueueArguments } from './queue-topology';

const SEED_COMMAND =
  '{"action":"validate_number","data":{"numberId":6,"phoneNumber":"+221771234567"},"timestamp":1765029000000}';

const describeRabbit = busTargets().includes('rabbitmq') ? describe : describe.skip;

describeRabbit('The RabbitMQ bus, seen by a service that is not Nest (raw amqplib)', () => {
  let vhost: TestVhost;
  let raw: RawAmqp;
  let worker: BusTestApp;

  beforeAll(async () => {
    vhost = await createTestVhost();
    worker = await createBusTestApp({ amqpUrl: vhost.url, queues: [WORKER_COMMANDS_QUEUE] });
    raw = await openRawAmqp(vhost.url);
  });

  afterAll(async () => {
    await worker?.app.close();
    await raw?.close();
    await vhost?.drop();
  });

  it("hands the seed's exact JSON, published by a raw client, to the Nest handler as that very object", async () => {
    raw.channel.sendToQueue(WORKER_COMMANDS_QUEUE, Buffer.from(SEED_COMMAND), {
      contentType: 'application/json',
      persistent: true,
    });
    await worker.recorder.waitFor(() => worker.recorder.of('validate_number').length === 1);
    const [received] = worker.recorder.of('validate_number');
    expect(received?.body).toStrictEqual(JSON.parse(SEED_COMMAND));
    expect(received?.queue).toBe(WORKER_COMMANDS_QUEUE);
    expect(received?.messageId).toBeUndefined(); // the raw publisher set none
  });

  it('publishes the exact JSON bytes, persistent, as application/json with a message id and timestamp', async () => {
    const body = {
      action: 'qr_generated',
      numberId: 6,
      sessionId: 'session_6_+221771234567',
      qrCode: 'data:image/png;base64,iVBORw0KGgo=',
      timestamp: 1765029000000,
      workerId: 'worker-1',
    };
    const before = Math.floor(Date.now() / 1000);
    await worker.bus.publish(WORKER_EVENTS_QUEUE, body);

    const [message] = await takeMessages(raw.channel, WORKER_EVENTS_QUEUE, 1);
    expect(message).toBeDefined();
    expect(message?.content.toString('utf8')).toBe(JSON.stringify(body));
    expect(JSON.parse(message?.content.toString('utf8') ?? '')).toStrictEqual(body);
    expect(message?.properties.contentType).toBe('application/json');
    expect(message?.properties.deliveryMode).toBe(2);
    expect(message?.properties.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(message?.properties.timestamp).toBeGreaterThanOrEqual(before);
  });

  it('declares each queue durable with its dead-letter queue, arguments a foreign service can repeat', async () => {
    const queue = `${WORKER_EVENTS_QUEUE}.${randomUUID().slice(0, 8)}`;
    await worker.bus.publish(queue, { action: 'connected', numberId: 6 });
    // RabbitMQ rejects a redeclaration with other arguments, so these succeeding proves the topology.
    await expect(
      raw.channel.assertQueue(queue, { durable: true, arguments: busQueueArguments(queue) }),
    ).resolves.toMatchObject({ messageCount: 1 });
    await expect(raw.channel.assertQueue(deadLetterQueue(queue), { durable: true })).resolves.toMatchObject({
      messageCount: 0,
    });
  });

  it('dead-letters malformed JSON from a raw publisher into the .dlq, where a raw client can read it', async () => {
    raw.channel.sendToQueue(WORKER_COMMANDS_QUEUE, Buffer.from('{"action":"validate_number",'), {
      contentType: 'application/json',
    });
    const [dead] = await takeMessages(raw.channel, deadLetterQueue(WORKER_COMMANDS_QUEUE), 1);
    expect(dead?.content.toString('utf8')).toBe('{"action":"validate_number",');
    expect(dead?.properties.headers?.['x-death']).toEqual([
      expect.objectContaining({ queue: WORKER_COMMANDS_QUEUE, reason: 'rejected' }),
    ]);
  });
});

describeRabbit('The RabbitMQ bus facing a queue declared elsewhere with other arguments', () => {
  let vhost: TestVhost;
  let raw: RawAmqp;

  beforeAll(async () => {
    vhost = await createTestVhost();
    raw = await openRawAmqp(vhost.url);
    await raw.channel.assertQueue('legacy.queue', { durable: true }); // no dead-letter arguments
  });

  afterAll(async () => {
    await raw?.close();
    await vhost?.drop();
  });

  it('still publishes to it, without redeclaring it, and keeps publishing to other queues', async () => {
    const publisher = await createBusTestApp({ amqpUrl: vhost.url });
    try {
      await publisher.bus.publish('legacy.queue', { action: 'first' }); // the reconnect setup meets the mismatch
      await publisher.bus.publish('legacy.queue', { action: 'second' });
      await raw.channel.assertQueue('legacy.other', { durable: true });
      await publisher.bus.publish('legacy.other', { action: 'third' }); // a live channel meets it
      await publisher.bus.publish(WORKER_EVENTS_QUEUE, { action: 'connected', numberId: 6 });
      const actions = async (queue: string, count: number) =>
        (await takeMessages(raw.channel, queue, count)).map(
          (message): unknown => JSON.parse(message.content.toString()).action,
        );
      expect(await actions('legacy.queue', 2)).toEqual(['first', 'second']);
      expect(await actions('legacy.other', 1)).toEqual(['third']);
      expect(await actions(WORKER_EVENTS_QUEUE, 1)).toEqual(['connected']);
    } finally {
      await publisher.app.close();
    }
  });

  it('refuses to start a server on it, naming the problem, without crashing', async () => {
    const app = await createBusTestApp({ amqpUrl: vhost.url });
    try {
      await expect(startBusServer(app.app, ['legacy.queue'])).rejects.toThrow(/PRECONDITION.FAILED/);
    } finally {
      await app.app.close();
    }
  });
});
