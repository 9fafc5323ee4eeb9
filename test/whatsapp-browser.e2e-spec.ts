import fs from 'node:fs';
import { MemoryTokenStore, WhatsAppNumberEvent, createHourglassClient } from '@app/client';
import { ROOT_LOGGER, RootLogger } from '@app/common';
import { loadConfig } from '@app/config';
import { StackTarget, TsScriptProcess, stackTargets } from '@app/testing';
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApiApp } from '../apps/api/src/create-api-app';
import { SIGNING_KEY, TEST_AUTH_THROTTLE_LIMIT, login, startAuthApp } from './support/auth-app';
import {
  NumberState,
  WHATSAPP_TEST_ENV,
  WhatsappActor as Actor,
  baseUrl,
  eventually,
  startWorker,
  whatsappActor as actor,
} from './support/whatsapp-app';

/** Short enough that an idle stream shows its keep-alives within a second. */
const KEEPALIVE = 300;
const ENV = { ...WHATSAPP_TEST_ENV, SSE_KEEPALIVE_INTERVAL: `${KEEPALIVE}ms`, LOG_LEVEL: 'silent' };
const TICKET_REFUSED = {
  detail: 'This stream ticket is invalid, expired or already used: request a new one.',
  code: 'ticket_not_valid',
};

/** A raw SSE connection read as text, as a browser's network panel shows it. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const giveUp = setTimeout(() => controller.abort(), 20_000); // a read never hangs the suite
  const response = await fetch(url, { headers, signal: controller.signal });
  const reader = response.body!.getReader();
  let text = '';
  return {
    response,
    text: () => text,
    async readUntil(pattern: RegExp): Promise<string> {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        text += Buffer.from(value).toString('utf8');
      }
      expect(text).toMatch(pattern);
      return text;
    },
    close() {
      clearTimeout(giveUp);
      controller.abort();
    },
  };
}

describe.each(stackTargets())('WhatsApp from a browser on the %s stack', (target: StackTarget) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let worker: INestApplication | undefined;
  let stackEnv: Record<string, string>;
  let url: string;
  let alice: Actor;
  let bob: Actor;
  let admin: Actor;
  let phones = 0;

  beforeAll(async () => {
    let stack: { env: Record<string, string> };
    ({ app, close, stack } = await startAuthApp(target, ENV));
    stackEnv = stack.env;
    if (target === 'servers') {
      worker = await startWorker({ ...stack.env, ...WHATSAPP_TEST_ENV, WORKER_ID: 'worker-1' });
    }
    url = await baseUrl(app);
    alice = await actor(app, 'alice', 'customer');
    bob = await actor(app, 'bob', 'customer');
    admin = await actor(app, 'root', 'admin');
  });

  afterAll(async () => {
    await worker?.close();
    await close?.();
  });

  async function registered(owner: Actor = alice): Promise<NumberState> {
    const phoneNumber = `+22178${String(1_000_000 + ++phones)}`;
    const { status, body } = await owner.post('/api/whatsapp/numbers/', { phoneNumber });
    expect(status).toBe(201);
    return body as NumberState;
  }

  async function ticketFor(id: number, who: Actor = alice): Promise<string> {
    const { status, body, headers } = await who.post(`/api/whatsapp/numbers/${id}/events/ticket/`);
    expect(status).toBe(201);
    expect(body).toEqual({ ticket: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expires_in: 60 });
    expect(headers['cache-control']).toBe('no-store');
    return (body as { ticket: string }).ticket;
  }

  const eventsUrl = (id: number, ticket?: string) =>
    `${url}/api/whatsapp/numbers/${id}/events/${ticket === undefined ? '' : `?ticket=${encodeURIComponent(ticket)}`}`;

  describe('GET /api/whatsapp/numbers/', () => {
    it("lists the caller's numbers, every number for an admin, newest first, a page at a time", async () => {
      const mine = [await registered(alice), await registered(alice), await registered(alice)];
      const bobs = await registered(bob);

      const first = await alice.get('/api/whatsapp/numbers/?limit=2').expect(200);
      expect(first.body).toEqual({ numbers: [mine[2], mine[1]], nextCursor: expect.any(String) });
      const { nextCursor } = first.body as { nextCursor: string };
      const second = await alice.get(`/api/whatsapp/numbers/?limit=2&cursor=${nextCursor}`).expect(200);
      expect(second.body).toEqual({ numbers: [mine[0]], nextCursor: null });

      expect((await bob.get('/api/whatsapp/numbers/').expect(200)).body).toEqual({ numbers: [bobs], nextCursor: null });
      const everyone = (await admin.get('/api/whatsapp/numbers/?limit=200').expect(200)).body as {
        numbers: NumberState[];
      };
      const ids = everyone.numbers.map((number) => number.id);
      expect(ids).toEqual(expect.arrayContaining([...mine, bobs].map((number) => number.id)));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      // Without the trailing slash, as every path of the API.
      await alice.get('/api/whatsapp/numbers?limit=1').expect(200);
    });

    it('refuses a cursor it did not hand out, and a bad limit, with {detail, code}; anonymous callers get 401', async () => {
      const forged = Buffer.from(JSON.stringify({ before: 2 ** 40 })).toString('base64url');
      for (const cursor of ['garbage', forged, Buffer.from('[]').toString('base64url')]) {
        await alice.get(`/api/whatsapp/numbers/?cursor=${cursor}`).expect(400, {
          detail: 'The cursor is not one this endpoint returned.',
          code: 'invalid_cursor',
        });
      }
      for (const limit of ['0', '201', 'abc']) {
        const { status, body } = await alice.get(`/api/whatsapp/numbers/?limit=${limit}`);
        expect(status).toBe(400);
        expect(body).toMatchObject({ detail: expect.any(String), code: expect.any(String) });
      }
      const anonymous = await fetch(`${url}/api/whatsapp/numbers/`);
      expect(anonymous.status).toBe(401);
    });
  });

  describe('stream tickets', () => {
    it('open the stream without an Authorization header, once', async () => {
      const number = await registered();
      const ticket = await ticketFor(number.id);

      const stream = await openStream(eventsUrl(number.id, ticket));
      try {
        expect(stream.response.status).toBe(200);
        expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
        await stream.readUntil(/event: status\nid: 1\ndata: .*"status":"pending"/);
        await alice.post(`/api/whatsapp/numbers/${number.id}/validate/`).expect(202);
        await stream.readUntil(/event: qr_generated\nid: 2\ndata: \{"action":"qr_generated"/);
      } finally {
        stream.close();
      }

      const again = await fetch(eventsUrl(number.id, ticket));
      expect(again.status).toBe(401);
      expect(await again.json()).toEqual(TICKET_REFUSED);
    });

    it("follow the stream's access rule, and refuse a ticket of another number, a forged one and an expired one", async () => {
      const number = await registered(alice);
      await bob.post(`/api/whatsapp/numbers/${number.id}/events/ticket/`).expect(404);
      await admin.post(`/api/whatsapp/numbers/${number.id}/events/ticket/`).expect(201);
      await request(app.getHttpServer()).post(`/api/whatsapp/numbers/${number.id}/events/ticket/`).expect(401);
      await alice.post('/api/whatsapp/numbers/99999999999/events/ticket/').expect(404);

      const other = await registered(alice);
      const forOther = await ticketFor(other.id);
      const wrong = await fetch(eventsUrl(number.id, forOther));
      expect([wrong.status, await wrong.json()]).toEqual([401, TICKET_REFUSED]);
      // Spent by that presentation, even on the wrong stream.
      expect((await fetch(eventsUrl(other.id, forOther))).status).toBe(401);

      for (const forged of ['', 'x', 'A'.repeat(43), `${'A'.repeat(43)}&ticket=B`]) {
        const answer = await fetch(`${eventsUrl(number.id)}?ticket=${forged}`);
        expect([answer.status, await answer.json()]).toEqual([401, TICKET_REFUSED]);
      }

      const expiring = await ticketFor(number.id);
      await app.get(DataSource).query(`UPDATE stream_tickets SET expires_at = now() - interval '1 millisecond'`);
      expect((await fetch(eventsUrl(number.id, expiring))).status).toBe(401);

      // Without a ticket the stream still wants the header: same 401 as before.
      const bare = await fetch(eventsUrl(number.id));
      expect([bare.status, await bare.json()]).toEqual([
        401,
        { detail: 'Authentication credentials were not provided.', code: 'not_authenticated' },
      ]);
    });

    it('die with a revoke-all', async () => {
      const carol = await actor(app, 'carol', 'customer');
      const number = await registered(carol);
      const ticket = await ticketFor(number.id, carol);
      await carol.post('/api/token/revoke-all/').expect(200);
      expect((await fetch(eventsUrl(number.id, ticket))).status).toBe(401);
    });

    it('open one stream once even when presented on every API process at the same time', async () => {
      const number = await registered();
      // Servers: a second API process on the same database; embedded: the one process, concurrently.
      const second =
        target === 'servers'
          ? await createApiApp(
              loadConfig({
                JWT_SIGNING_KEY: SIGNING_KEY,
                AUTH_THROTTLE_LIMIT: TEST_AUTH_THROTTLE_LIMIT,
                ...stackEnv,
                ...ENV,
              }).config,
            )
          : undefined;
      try {
        const urls = [url, second === undefined ? url : await baseUrl(second)];
        const ticket = await ticketFor(number.id);
        const controller = new AbortController();
        const answers = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            fetch(`${urls[i % 2]}/api/whatsapp/numbers/${number.id}/events/?ticket=${ticket}`, {
              signal: controller.signal,
            }),
          ),
        );
        controller.abort();
        expect(answers.map((answer) => answer.status).sort()).toEqual([200, ...Array<number>(9).fill(401)]);
      } finally {
        await second?.close();
      }
    });

    it('never reach a log line', async () => {
      const written: string[] = [];
      // pino writes its lines synchronously to fd 1 (sonic-boom calls fs.writeSync): capture what it writes.
      const original = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
      const writeSync = jest
        .spyOn(fs, 'writeSync')
        .mockImplementation((fd: number, data: unknown, ...rest: unknown[]) => {
          if (fd === 1) {
            written.push(String(data));
            return Buffer.byteLength(String(data));
          }
          return original(fd, data, ...rest);
        });
      const number = await registered();
      const logger = app.get<RootLogger>(ROOT_LOGGER);
      const before = logger.level;
      logger.level = 'debug'; // an access line for every request, the successful streams included
      try {
        const tickets = [await ticketFor(number.id), await ticketFor(number.id)];
        for (const streamUrl of [
          eventsUrl(number.id, tickets[0]),
          `${url}/api/whatsapp/numbers/${number.id}/events/?%74icket=${tickets[1]}`,
        ]) {
          const stream = await openStream(streamUrl);
          await stream.readUntil(/event: status/);
          stream.close();
        }
        await fetch(eventsUrl(number.id, tickets[0])); // 401, logged at warn
        await eventually(
          () => Promise.resolve(written.filter((line) => line.includes(`/numbers/${number.id}/events/?`)).length),
          (lines) => lines >= 3,
        );
      } finally {
        logger.level = before;
        writeSync.mockRestore();
      }
      const lines = written.filter((line) => line.includes(`/numbers/${number.id}/events/?`));
      expect(lines).toHaveLength(3);
      expect(lines.join('')).toContain('ticket=[redacted]');
      expect(lines.join('')).not.toMatch(/ticket=[A-Za-z0-9_-]{43}/);
    });
  });

  it('sends a keep-alive comment whenever a stream is idle for SSE_KEEPALIVE_INTERVAL (default 15 s)', async () => {
    const number = await registered();
    const stream = await openStream(eventsUrl(number.id), { Authorization: `Bearer ${alice.access}` });
    try {
      await stream.readUntil(/event: status\nid: 1\ndata: .*\n\n/);
      await stream.readUntil(/(: keep-alive\n\n[^]*){2}/);
      // Comments take no event id: the next event is still id 2.
      await alice.post(`/api/whatsapp/numbers/${number.id}/validate/`).expect(202);
      await stream.readUntil(/event: qr_generated\nid: 2\n/);
      expect(stream.text()).toMatch(/^\nevent: status\nid: 1\ndata: .*\n\n(: keep-alive\n\n)+event: qr_generated/);
    } finally {
      stream.close();
    }
    expect(loadConfig({}).config.SSE_KEEPALIVE_INTERVAL).toBe(15_000);
  });

  describe('the typed client', () => {
    function clientOf(who: Actor, refresh = '') {
      return createHourglassClient({ baseURL: url, tokenStore: new MemoryTokenStore({ access: who.access, refresh }) });
    }

    it("lists numbers and follows a number's events with fetch, reconnecting with a new ticket when the stream drops", async () => {
      const client = clientOf(alice);
      const number = await registered();
      expect((await client.listNumbers({ limit: 1 })).numbers).toEqual([number]);

      const events: WhatsAppNumberEvent[] = [];
      const errors: unknown[] = [];
      const stop = new AbortController();
      const following = client.followNumberEvents(number.id, {
        onEvent: (event) => events.push(event),
        onError: (error) => errors.push(error),
        signal: stop.signal,
        transport: 'fetch',
        reconnectDelayMs: 50,
      });
      await eventually(
        () => Promise.resolve(events.length),
        (count) => count === 1,
      );
      expect(events[0]).toEqual({ type: 'status', data: number });
      await client.validateNumber(number.id);
      const generated = await eventually(
        () => Promise.resolve(events.find((event) => event.type === 'qr_generated')),
        (event) => event !== undefined,
      );
      expect(generated!.data).toMatchObject({ action: 'qr_generated', numberId: number.id, workerId: 'worker-1' });

      // A proxy cuts the connection: the client takes a new ticket and starts again from `status`.
      app.getHttpServer().closeAllConnections();
      await eventually(
        () => Promise.resolve(events.filter((event) => event.type === 'status').length),
        (count) => count === 2,
      );
      expect(errors.length).toBeGreaterThanOrEqual(1);
      stop.abort();
      await expect(following).resolves.toBeUndefined();
    });

    it('rejects when the number is not yours', async () => {
      const number = await registered(alice);
      await expect(
        clientOf(bob).followNumberEvents(number.id, { onEvent: () => undefined, transport: 'fetch' }),
      ).rejects.toMatchObject({ status: 404, code: 'not_found' });
    });

    it("follows a number's events with a browser's EventSource (undici's, in a second process)", async () => {
      const number = await registered();
      const { refresh } = await login(app, 'alice');
      const front = TsScriptProcess.start(
        'test/fixtures/follow-number-events.fixture.ts',
        [url, alice.access, refresh, String(number.id)],
        { NODE_OPTIONS: '--experimental-eventsource --no-warnings' },
      );
      try {
        await front.waitFor(/\{"eventSource":"function"\}/);
        await front.waitFor(/\{"type":"status","status":"pending"\}/);
        await alice.post(`/api/whatsapp/numbers/${number.id}/validate/`).expect(202);
        await front.waitFor(/\{"type":"qr_generated"\}/);
        app.getHttpServer().closeAllConnections();
        await front.waitFor(
          /"status":"pending"\}[^]*\{"error":[^]*\{"type":"status","status":"(qr_ready|regenerating|failed)"\}/,
        );
      } finally {
        await front.kill();
      }
      expect(front.stdout).toMatch(/\{"closed":true\}/);
      expect(front.stdout).not.toMatch(/rejected/);
    });
  });
});
