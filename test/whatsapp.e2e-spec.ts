import { setTimeout as sleep } from 'node:timers/promises';
import { InProcessBroker, MessageBus, WORKER_EVENTS_QUEUE } from '@app/messaging';
import { StackTarget, stackTargets } from '@app/testing';
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { startAuthApp } from './support/auth-app';
import {
  NumberState,
  SEED_FAILURE,
  WHATSAPP_TEST_ENV,
  WhatsappActor as Actor,
  baseUrl,
  eventually,
  startWorker,
  whatsappActor as actor,
} from './support/whatsapp-app';

const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/;

describe.each(stackTargets())('WhatsApp number validation over HTTP on the %s stack', (target: StackTarget) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let worker: INestApplication | undefined;
  let alice: Actor;
  let bob: Actor;
  let admin: Actor;
  let phones = 0;

  beforeAll(async () => {
    let stack: { env: Record<string, string> };
    ({ app, close, stack } = await startAuthApp(target, { ...WHATSAPP_TEST_ENV, LOG_LEVEL: 'silent' }));
    if (target === 'servers') {
      // With RabbitMQ the API does not host the worker: run one, as `nest start worker` would.
      worker = await startWorker({ ...stack.env, ...WHATSAPP_TEST_ENV, WORKER_ID: 'worker-1' });
    }
    alice = await actor(app, 'alice', 'customer');
    bob = await actor(app, 'bob', 'customer');
    admin = await actor(app, 'root', 'admin');
  });

  afterAll(async () => {
    await worker?.close();
    await close?.();
  });

  async function registered(owner: Actor = alice): Promise<NumberState> {
    const phoneNumber = `+22177${String(1_000_000 + ++phones)}`;
    const { status, body } = await owner.post('/api/whatsapp/numbers/', { phoneNumber });
    expect(status).toBe(201);
    return body as NumberState;
  }

  const state = async (id: number, who: Actor = alice) =>
    (await who.get(`/api/whatsapp/numbers/${id}/`)).body as NumberState;
  const until = (id: number, accept: (state: NumberState) => boolean) => eventually(() => state(id), accept);

  it('registers an E.164 number for its owner, pending', async () => {
    const number = await registered();
    expect(number).toEqual({
      id: expect.any(Number),
      phoneNumber: expect.stringMatching(/^\+22177\d{7}$/),
      status: 'pending',
      qrCode: null,
      attempt: 0,
      maxAttempts: 3,
      workerId: null,
      lastError: null,
    });
    await alice
      .post('/api/whatsapp/numbers/', { phoneNumber: number.phoneNumber })
      .expect(409, { detail: 'This phone number is already registered.', code: 'phone_number_taken' });
    for (const phoneNumber of ['221771234567', '+0221771234567', '+22', '+2217712345678901', 42, '']) {
      await alice.post('/api/whatsapp/numbers/', { phoneNumber }).expect(400, {
        detail: 'Enter a phone number in E.164 form, e.g. +221771234567.',
        code: 'invalid_phone_number',
      });
    }
  });

  it('shows a QR, then connects when the phone scans it (seed scenario 1)', async () => {
    const number = await registered();
    await alice.post(`/api/whatsapp/numbers/${number.id}/validate/`).expect(202, { status: 'accepted' });
    const ready = await until(number.id, (current) => current.status === 'qr_ready');
    expect(ready).toMatchObject({
      qrCode: expect.stringMatching(PNG_DATA_URL),
      attempt: 0,
      workerId: 'worker-1',
      lastError: null,
    });
    await admin.post(`/api/whatsapp/numbers/${number.id}/simulate-scan/`).expect(202);
    const connected = await until(number.id, (current) => current.status === 'connected');
    expect(connected).toMatchObject({ qrCode: null, attempt: 0, workerId: 'worker-1' });
    // A manual regeneration finds it connected: it stays connected, no new QR.
    await admin.post(`/api/whatsapp/numbers/${number.id}/regenerate-qr/`).expect(202);
    await sleep(4 * 300);
    expect(await state(number.id)).toMatchObject({ status: 'connected', qrCode: null });
  });

  it("regenerates the QR 3 times, then fails with the seed's error (scenarios 2 to 5)", async () => {
    const number = await registered();
    await alice.post(`/api/whatsapp/numbers/${number.id}/validate/`).expect(202);
    const attempts = new Set<number>();
    const failed = await eventually(
      () => state(number.id),
      (current) => {
        attempts.add(current.attempt);
        return current.status === 'failed';
      },
    );
    expect(failed).toEqual({
      ...number,
      status: 'failed',
      qrCode: null,
      attempt: 3,
      maxAttempts: 3,
      workerId: 'worker-1',
      lastError: SEED_FAILURE,
    });
    expect([...attempts].filter((attempt) => attempt > 0).sort()).toEqual(expect.arrayContaining([3]));
    // Nothing more comes: the session was removed.
    await sleep(3 * 300);
    expect(await state(number.id)).toMatchObject({ status: 'failed', lastError: SEED_FAILURE });

    // The admin regenerates: a fresh QR, the counter back at 0.
    await admin.post(`/api/whatsapp/numbers/${number.id}/regenerate-qr/`).expect(202);
    const again = await until(number.id, (current) => current.status === 'qr_ready');
    expect(again).toMatchObject({ attempt: 0, lastError: null, qrCode: expect.stringMatching(PNG_DATA_URL) });
    await admin.post(`/api/whatsapp/numbers/${number.id}/simulate-scan/`).expect(202);
    await until(number.id, (current) => current.status === 'connected');
  });

  it('never rolls a number back on a redelivered or older event', async () => {
    const number = await registered();
    await alice.post(`/api/whatsapp/numbers/${number.id}/validate/`).expect(202);
    await until(number.id, (current) => current.status === 'qr_ready');
    await admin.post(`/api/whatsapp/numbers/${number.id}/simulate-scan/`).expect(202);
    const connected = await until(number.id, (current) => current.status === 'connected');
    const bus = app.get(MessageBus);
    const base = { numberId: number.id, sessionId: `session_${number.id}_${number.phoneNumber}`, workerId: 'worker-1' };
    await bus.publish(WORKER_EVENTS_QUEUE, {
      action: 'qr_generated',
      ...base,
      qrCode: 'data:image/png;base64,AAAA',
      timestamp: 1_000,
    });
    await bus.publish(WORKER_EVENTS_QUEUE, { action: 'error', ...base, error: 'late', timestamp: 2_000 });
    // A newer event is applied (its sender becomes the owner); the two older ones never are.
    await bus.publish(WORKER_EVENTS_QUEUE, {
      action: 'connected',
      ...base,
      workerId: 'worker-9',
      timestamp: Date.now() + 1_000,
    });
    await until(number.id, (current) => current.workerId === 'worker-9');
    await sleep(300);
    expect(await state(number.id)).toEqual({ ...connected, workerId: 'worker-9' });
    // The same event again (a redelivery) changes nothing either.
    await bus.publish(WORKER_EVENTS_QUEUE, { action: 'error', ...base, error: 'late', timestamp: 2_000 });
    await sleep(300);
    expect(await state(number.id)).toEqual({ ...connected, workerId: 'worker-9' });
  });

  it('refuses a manual regeneration of a number never validated, and unknown ids', async () => {
    const number = await registered();
    await admin.post(`/api/whatsapp/numbers/${number.id}/regenerate-qr/`).expect(409, {
      detail: 'This number was never validated: request a validation first.',
      code: 'validation_not_requested',
    });
    await admin.post(`/api/whatsapp/numbers/${number.id}/simulate-scan/`).expect(409);
    for (const id of ['999999', 'abc', '0', '-1', '1.5', '0x1', '1e0', '%201', '99999999999999999999']) {
      await admin.get(`/api/whatsapp/numbers/${id}/`).expect(404, { detail: 'Not found.', code: 'not_found' });
      await admin.post(`/api/whatsapp/numbers/${id}/validate/`).expect(404);
      await admin.post(`/api/whatsapp/numbers/${id}/regenerate-qr/`).expect(404);
    }
  });

  it('lets only the owner and admins see and validate a number; regeneration and scans are admin-only', async () => {
    const number = await registered(alice);
    await bob.get(`/api/whatsapp/numbers/${number.id}/`).expect(404);
    await bob.post(`/api/whatsapp/numbers/${number.id}/validate/`).expect(404);
    await alice.post(`/api/whatsapp/numbers/${number.id}/regenerate-qr/`).expect(403);
    await alice.post(`/api/whatsapp/numbers/${number.id}/simulate-scan/`).expect(403);
    await admin.get(`/api/whatsapp/numbers/${number.id}/`).expect(200);
    const anonymous = await fetch(`${await baseUrl(app)}/api/whatsapp/numbers/${number.id}/`);
    expect(anonymous.status).toBe(401);
  });

  (target === 'embedded' ? it : it.skip)('dead-letters a malformed event instead of applying it', async () => {
    const broker = app.get(InProcessBroker);
    broker.publishRaw(WORKER_EVENTS_QUEUE, '{"action":"qr_generated","numberId":"six","timestamp":1}');
    await eventually(
      () => Promise.resolve(broker.deadLetters(WORKER_EVENTS_QUEUE).length),
      (count) => count === 1,
    );
    expect(broker.deadLetters(WORKER_EVENTS_QUEUE)[0].content).toContain('"six"');
  });

  it('answers 503 with {detail, code} when the broker does not take the command', async () => {
    const number = await registered();
    // Only the command fails: the in-process node's heartbeat publishes on the same bus meanwhile.
    const bus = app.get(MessageBus);
    const publishThrough = bus.publish.bind(bus);
    let failed = false;
    const publish = jest.spyOn(bus, 'publish').mockImplementation((queue, body) => {
      if (failed || queue === WORKER_EVENTS_QUEUE) {
        return publishThrough(queue, body);
      }
      failed = true;
      return Promise.reject(new Error('Publish timed out after 30000 ms'));
    });
    try {
      await alice.post(`/api/whatsapp/numbers/${number.id}/validate/`).expect(503, {
        detail: 'The WhatsApp workers cannot be reached right now. Try again in a moment.',
        code: 'bus_unavailable',
      });
    } finally {
      publish.mockRestore();
    }
  });

  it("streams the number's events as Server-Sent Events", async () => {
    const number = await registered();
    const controller = new AbortController();
    const giveUp = setTimeout(() => controller.abort(), 15_000); // a read never hangs the suite
    try {
      const response = await fetch(`${await baseUrl(app)}/api/whatsapp/numbers/${number.id}/events/`, {
        headers: { Authorization: `Bearer ${alice.access}` },
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = response.body!.getReader();
      let text = '';
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) {
            break;
          }
          text += Buffer.from(value).toString('utf8');
        }
        expect(text).toMatch(pattern);
      };
      await readUntil(/event: status\nid: \d+\ndata: .*"status":"pending"/);
      await alice.post(`/api/whatsapp/numbers/${number.id}/validate/`).expect(202);
      await readUntil(
        /event: qr_regenerating\nid: \d+\ndata: .*"message":"QR code expired\. Generating new QR code \(attempt 1\/3\)"/,
      );
      const generated = /event: qr_generated\nid: \d+\ndata: (.+)\n/.exec(text)![1];
      expect(JSON.parse(generated)).toEqual({
        action: 'qr_generated',
        numberId: number.id,
        sessionId: `session_${number.id}_${number.phoneNumber}`,
        qrCode: expect.stringMatching(PNG_DATA_URL),
        workerId: 'worker-1',
        timestamp: expect.any(Number),
      });
    } finally {
      clearTimeout(giveUp);
      controller.abort();
    }
    await bob.get(`/api/whatsapp/numbers/${number.id}/events/`).expect(404);
  });
});
