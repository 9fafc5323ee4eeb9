import { loadConfig } from '@app/config';
import { type CloudEvent } from '@app/events';
import { StackTarget, TcpProxy, createTestStack, stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createApiApp } from '../apps/api/src/create-api-app';
import { SIGNING_KEY, TEST_AUTH_THROTTLE_LIMIT, startAuthApp } from './support/auth-app';
import { Actor, NO_CRON, actor, expireTokens, signedIn } from './support/ledger-app';
import { baseUrl, eventually } from './support/whatsapp-app';

const ENV = { EXCHANGE_EXPIRY_CRON: NO_CRON, LOG_LEVEL: 'silent' };
const TICKET_REFUSED = {
  detail: 'This stream ticket is invalid, expired or already used: request a new one.',
  code: 'ticket_not_valid',
};

interface StreamedEvent {
  event: string;
  id: string;
  data: CloudEvent;
}

/** An event stream read as an EventSource would, its events parsed as they come. */
async function openEvents(streamUrl: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const giveUp = setTimeout(() => controller.abort(), 30_000); // a read never hangs the suite
  const response = await fetch(streamUrl, { headers, signal: controller.signal });
  const events: StreamedEvent[] = [];
  const seen: string[] = [];
  let text = '';
  const reading = (async () => {
    const reader = response.body!.getReader();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) {
        return;
      }
      text += Buffer.from(value).toString('utf8');
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        seen.push(block);
        const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(block)?.[1];
        const event = field('event');
        if (event !== undefined) {
          events.push({ event, id: field('id') ?? '', data: JSON.parse(field('data') ?? 'null') as CloudEvent });
        }
      }
    }
  })();
  return {
    response,
    events,
    /** Waits for the stream's first comment: whatever happens after it is streamed. */
    listening: () =>
      eventually(
        () => Promise.resolve(seen),
        (blocks) => blocks.some((b) => b.includes(': listening')),
      ),
    until: (accept: (now: StreamedEvent[]) => boolean) => eventually(() => Promise.resolve(events), accept, 15_000),
    async close() {
      clearTimeout(giveUp);
      controller.abort();
      await reading;
    },
  };
}

const types = (events: StreamedEvent[]) => events.map((event) => event.event);
/** The token events: a grant made before the stream opened may still be relayed after it. */
const tokenTypes = (events: StreamedEvent[]) => types(events).filter((type) => type.startsWith('ledger.token.'));
const ofType = (events: StreamedEvent[], type: string) => events.filter((event) => event.event === type);

async function grant(admin: Actor, username: string, points: number) {
  await admin.post('/api/admin/points/grant/', { username, points, reason: 'test' }).expect(201);
}

async function ticketOf(who: Actor): Promise<string> {
  const { status, body } = await who.post('/api/events/ticket/');
  expect(status).toBe(201);
  expect(body).toEqual({ ticket: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expires_in: 60 });
  return (body as { ticket: string }).ticket;
}

describe.each(stackTargets())('GET /api/events/ on the %s stack', (target: StackTarget) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let url: string;
  let admin: Actor;
  let vendor: Actor;

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, ENV));
    url = `${await baseUrl(app)}/api/events/`;
    admin = await actor(app, 'root', 'admin');
    vendor = await actor(app, 'shop', 'vendor');
  });
  afterAll(async () => close?.());

  it('wants credentials, and takes a ticket once', async () => {
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    const zoe = await actor(app, 'zoe', 'customer');
    const ticket = await ticketOf(zoe);
    const first = await openEvents(`${url}?ticket=${ticket}`);
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await first.listening();
    await first.close();
    const again = await fetch(`${url}?ticket=${ticket}`);
    expect([again.status, await again.json()]).toEqual([401, TICKET_REFUSED]);
  });

  it("streams a customer's token created, redeemed and expired events to a ticket, and nobody else's", async () => {
    const alice = await actor(app, 'alice', 'customer');
    const bob = await actor(app, 'bob', 'customer');
    await grant(admin, 'alice', 300);
    await grant(admin, 'bob', 300);
    const stream = await openEvents(`${url}?ticket=${await ticketOf(alice)}`);
    try {
      expect(stream.response.status).toBe(200);
      await stream.listening();

      const redeemed = (await alice.post('/api/exchange-tokens/', { points: 100 }).expect(201)).body as {
        token: string;
      };
      const bobs = (await bob.post('/api/exchange-tokens/', { points: 50 }).expect(201)).body as { token: string };
      await vendor.post('/api/exchange-tokens/validate/', { token: bobs.token }).expect(201);
      await stream.until((now) => ofType(now, 'ledger.token.created').length === 1);
      await vendor.post('/api/exchange-tokens/validate/', { token: redeemed.token }).expect(201);
      await stream.until((now) => ofType(now, 'ledger.token.redeemed').length === 1);

      const expiring = (await alice.post('/api/exchange-tokens/', { points: 70 }).expect(201)).body as {
        token: string;
      };
      await expireTokens(app, [expiring.token]);
      // Refused, once it released the points (trigger `validate`).
      await vendor.post('/api/exchange-tokens/validate/', { token: expiring.token });
      await stream.until((now) => ofType(now, 'ledger.token.expired').length === 1);

      const [created] = ofType(stream.events, 'ledger.token.created');
      const [redemption] = ofType(stream.events, 'ledger.token.redeemed');
      const [expired] = ofType(stream.events, 'ledger.token.expired');
      const aliceId = created.data.data.userId;
      expect(created.data).toMatchObject({
        specversion: '1.0',
        id: created.id,
        source: '/hourglass/ledger',
        type: 'ledger.token.created',
        data: { points: 100 },
      });
      expect(redemption.data).toMatchObject({
        id: redemption.id,
        type: 'ledger.token.redeemed',
        data: { userId: aliceId, points: 100, tokenId: (created.data.data as { tokenId: number }).tokenId },
      });
      expect(expired.data).toMatchObject({
        id: expired.id,
        type: 'ledger.token.expired',
        data: { userId: aliceId, pointsRestored: 70, trigger: 'validate' },
      });
      // Bob's token and its redemption never came; each of Alice's came once, in order.
      expect(tokenTypes(stream.events)).toEqual([
        'ledger.token.created',
        'ledger.token.redeemed',
        'ledger.token.created',
        'ledger.token.expired',
      ]);
      expect(stream.events.every((event) => event.data.data.userId === aliceId)).toBe(true);
      expect(new Set(stream.events.map((event) => event.id)).size).toBe(stream.events.length);
    } finally {
      await stream.close();
    }
  });

  it('streams with a Bearer token too, and shows an admin only their own events', async () => {
    const carol = await actor(app, 'carol', 'customer');
    await grant(admin, 'carol', 100);
    const { access } = (await admin.post('/api/token/', { username: 'root', password: 'correct-horse' }).expect(200))
      .body as { access: string };
    const stream = await openEvents(url, { Authorization: `Bearer ${access}` });
    try {
      expect(stream.response.status).toBe(200);
      await stream.listening();
      await carol.post('/api/exchange-tokens/', { points: 10 }).expect(201);
      await grant(admin, 'root', 5);
      await stream.until((now) => now.length >= 1);
      expect(types(stream.events)).toEqual(['ledger.points.granted']);
      expect(stream.events[0].data.data).toMatchObject({ points: 5, reason: 'test' });
    } finally {
      await stream.close();
    }
  });
});

const servers = stackTargets().includes('servers') ? describe : describe.skip;

servers('GET /api/events/ across API processes (PostgreSQL and RabbitMQ)', () => {
  let apps: NestExpressApplication[] = [];
  let rabbitmq: TcpProxy;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const stack = await createTestStack('servers');
    cleanup = () => stack.cleanup();
    const broker = new URL(stack.env.AMQP_URL);
    rabbitmq = await TcpProxy.start(broker.hostname, Number(broker.port || 5672));
    const config = (env: Record<string, string> = {}) =>
      loadConfig({
        JWT_SIGNING_KEY: SIGNING_KEY,
        AUTH_THROTTLE_LIMIT: TEST_AUTH_THROTTLE_LIMIT,
        ...stack.env,
        ...ENV,
        ...env,
      }).config;
    // A reaches RabbitMQ through a proxy the last test cuts.
    apps = [await createApiApp(config({ AMQP_URL: rabbitmq.wrap(stack.env.AMQP_URL) })), await createApiApp(config())];
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await rabbitmq?.cut();
    await cleanup?.();
  });

  it('streams on process A an event whose cause happened on process B, once', async () => {
    const [a, b] = apps;
    const adminOnB = await actor(b, 'root', 'admin');
    const vendorOnB = await actor(b, 'shop', 'vendor');
    const dave = await actor(a, 'dave', 'customer');
    await grant(adminOnB, 'dave', 200);
    const stream = await openEvents(`${await baseUrl(a)}/api/events/?ticket=${await ticketOf(dave)}`);
    try {
      expect(stream.response.status).toBe(200);
      await stream.listening();
      const daveOnB = await signedIn(b, 'dave');
      const { token } = (await daveOnB.post('/api/exchange-tokens/', { points: 40 }).expect(201)).body as {
        token: string;
      };
      await vendorOnB.post('/api/exchange-tokens/validate/', { token }).expect(201);
      await stream.until((now) => ofType(now, 'ledger.token.redeemed').length === 1);
      await new Promise((resolve) => setTimeout(resolve, 300)); // room for a duplicate to show
      expect(tokenTypes(stream.events)).toEqual(['ledger.token.created', 'ledger.token.redeemed']);
      expect(ofType(stream.events, 'ledger.points.granted').length).toBeLessThanOrEqual(1);
      expect(stream.events[stream.events.length - 1].data.data).toMatchObject({ points: 40 });
    } finally {
      await stream.close();
    }
  });

  it('follows the events again once process A is back on RabbitMQ (a new queue, bound again)', async () => {
    const [a, b] = apps;
    const adminOnB = await actor(b, 'root-2', 'admin');
    await actor(a, 'erin', 'customer');
    const erin = await signedIn(a, 'erin');
    const stream = await openEvents(`${await baseUrl(a)}/api/events/?ticket=${await ticketOf(erin)}`);
    try {
      await stream.listening();
      await rabbitmq.cut();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await rabbitmq.restore();
      // Events relayed before A's new queue is bound are lost to A: grant until one comes through.
      for (let attempt = 0; attempt < 30 && ofType(stream.events, 'ledger.points.granted').length === 0; attempt++) {
        await grant(adminOnB, 'erin', 1);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(ofType(stream.events, 'ledger.points.granted').length).toBeGreaterThan(0);
      expect(stream.events.every((event) => event.data.data.userId === stream.events[0].data.data.userId)).toBe(true);
    } finally {
      await stream.close();
    }
  });
});
