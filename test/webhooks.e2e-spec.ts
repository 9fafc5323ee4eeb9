import { StackTarget, WebhookReceiver, runApp, stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { SIGNING_KEY, login, startAuthApp } from './support/auth-app';
import { Actor, NO_CRON, actor } from './support/ledger-app';
import { eventually } from './support/whatsapp-app';

/**
 * Signed webhooks (issue 15) through the real API: admin endpoints, the relay's fan-out, the
 * sender's retries and its isolation of a hanging target, redelivery, and the CLI (compiled: build
 * it first, as `npm test` does).
 */
jest.setTimeout(120_000);

const ENV = {
  EXCHANGE_EXPIRY_CRON: NO_CRON,
  LOG_LEVEL: 'silent',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_RETRY_BASE: '200ms',
  WEBHOOK_DELIVERY_INTERVAL: '100ms',
  WEBHOOK_TIMEOUT: '20s',
};

interface Delivery {
  id: number;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
}

const receivers: WebhookReceiver[] = [];
async function receiver(script: (number | 'hang')[]): Promise<[WebhookReceiver, string]> {
  const created = new WebhookReceiver(script);
  receivers.push(created);
  return [created, await created.start()];
}
afterAll(() => Promise.all(receivers.map((r) => r.stop())));

describe.each(stackTargets())('webhooks on the %s stack', (target: StackTarget) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let env: Record<string, string>;
  let admin: Actor & {
    patch: (path: string, body?: object) => request.Test;
    delete: (path: string) => request.Test;
  };
  let customer: Actor;
  const cli = (...args: string[]) => runApp('cli', env, args);

  async function subscribe(url: string, eventTypes: string[]): Promise<{ id: number; secret: string }> {
    const { status, body } = await admin.post('/api/webhooks/subscriptions/', { url, eventTypes });
    expect(status).toBe(201);
    return body as { id: number; secret: string };
  }

  async function deliveries(subscriptionId: number): Promise<Delivery[]> {
    const { status, body } = await admin.get(`/api/webhooks/subscriptions/${subscriptionId}/deliveries/`);
    expect(status).toBe(200);
    return (body as { deliveries: Delivery[] }).deliveries;
  }

  const grant = (points: number) =>
    admin.post('/api/admin/points/grant/', { username: 'someone', points, reason: 'webhooks' }).expect(201);

  beforeAll(async () => {
    const started = await startAuthApp(target, ENV);
    ({ app, close } = started);
    env = { ...started.stack.env, ...ENV, JWT_SIGNING_KEY: SIGNING_KEY, LOG_LEVEL: 'warn' };
    const signed = await actor(app, 'root', 'admin');
    const auth = { Authorization: `Bearer ${(await login(app, 'root')).access}` };
    admin = {
      ...signed,
      patch: (path, payload) => request(app.getHttpServer()).patch(path).set(auth).send(payload),
      delete: (path) => request(app.getHttpServer()).delete(path).set(auth),
    };
    customer = await actor(app, 'someone', 'customer');
  });
  afterAll(async () => close?.());

  it('is for admins only', async () => {
    expect((await request(app.getHttpServer()).get('/api/webhooks/subscriptions/')).status).toBe(401);
    expect((await customer.get('/api/webhooks/subscriptions/')).status).toBe(403);
    expect((await customer.post('/api/webhooks/subscriptions/', { url: 'http://x/', eventTypes: ['*'] })).status).toBe(
      403,
    );
  });

  it('retries a target that answers 500 three times, then delivers once, signed, with one webhook-id', async () => {
    const [flaky, url] = await receiver([500, 500, 500, 200]);
    const { id, secret } = await subscribe(url, ['ledger.points.granted']);
    expect(secret).toMatch(/^whsec_/);
    await grant(10);
    const [delivered] = await eventually(
      () => deliveries(id),
      (rows) => rows[0]?.status === 'delivered',
      20_000,
    );
    expect(delivered).toMatchObject({
      eventType: 'ledger.points.granted',
      attempts: 4,
      lastStatusCode: 200,
      lastError: null,
    });
    expect(flaky.requests).toHaveLength(4);
    expect(new Set(flaky.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivered.eventId]));
    const last = flaky.requests[3];
    const event = new Webhook(secret).verify(last.body, last.headers as Record<string, string>);
    expect(event).toMatchObject({ specversion: '1.0', id: delivered.eventId, type: 'ledger.points.granted' });
    // A forged body does not verify.
    expect(() =>
      new Webhook(secret).verify(
        last.body.replace('"points":10', '"points":99'),
        last.headers as Record<string, string>,
      ),
    ).toThrow();

    // Redelivery: pending again, sent again with the same id.
    const { status, body } = await admin.post(`/api/webhooks/deliveries/${delivered.id}/redeliver/`);
    expect([status, (body as Delivery).status]).toEqual([200, 'pending']);
    await eventually(
      () => Promise.resolve(flaky.requests.length),
      (n) => n === 5,
    );
    expect(flaky.requests[4].headers['webhook-id']).toBe(delivered.eventId);
    await eventually(
      () => deliveries(id),
      (rows) => rows[0]?.status === 'delivered' && rows[0].attempts === 1,
    );
    await admin.delete(`/api/webhooks/subscriptions/${id}/`).expect(204);
  });

  it('delivers to a healthy target at once while another target hangs', async () => {
    const [hanging, hangingUrl] = await receiver(['hang']);
    const [healthy, healthyUrl] = await receiver([204]);
    const stuck = await subscribe(hangingUrl, ['ledger.points.granted']);
    // Fill the hanging target's slots first (WEBHOOK_SUBSCRIPTION_CONCURRENCY=4) and then some.
    for (let i = 0; i < 6; i += 1) {
      await grant(1);
    }
    await eventually(
      () => Promise.resolve(hanging.requests.length),
      (n) => n === 4,
    );
    // Every one of those events is fanned out before the healthy target subscribes.
    await eventually(
      () => deliveries(stuck.id),
      (rows) => rows.length === 6,
    );
    const fine = await subscribe(healthyUrl, ['ledger.points.granted']);
    const started = Date.now();
    await grant(2);
    await eventually(
      () => Promise.resolve(healthy.requests.length),
      (n) => n === 1,
      5000,
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2000);
    expect(hanging.requests).toHaveLength(4); // still hanging, holding only its own slots
    // An API request is not slowed either.
    const before = Date.now();
    await admin.get('/api/webhooks/subscriptions/').expect(200);
    expect(Date.now() - before).toBeLessThan(1000);
    await admin.delete(`/api/webhooks/subscriptions/${stuck.id}/`).expect(204);
    await admin.delete(`/api/webhooks/subscriptions/${fine.id}/`).expect(204);
  });

  it('lists, pauses, changes and deletes subscriptions, never showing a secret again', async () => {
    const { id, secret } = await subscribe('http://127.0.0.1:9/paused', ['ledger.token.expired']);
    const list = await admin.get('/api/webhooks/subscriptions/?limit=1').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(list.body).toMatchObject({ subscriptions: [{ id, active: true }] });
    const paused = await admin.patch(`/api/webhooks/subscriptions/${id}/`, { active: false, eventTypes: ['*'] });
    expect([paused.status, paused.body]).toEqual([
      200,
      expect.objectContaining({ id, active: false, eventTypes: ['*'] }),
    ]);
    await grant(3);
    const fetched = await admin.get(`/api/webhooks/subscriptions/${id}/`).expect(200);
    expect(JSON.stringify(fetched.body)).not.toContain(secret);
    expect(await deliveries(id)).toEqual([]); // paused: nothing fanned out to it
    await admin.delete(`/api/webhooks/subscriptions/${id}/`).expect(204);
    expect((await admin.get(`/api/webhooks/subscriptions/${id}/`)).body).toEqual({
      detail: 'No webhook subscription has this id.',
      code: 'webhook_subscription_not_found',
    });
  });

  it.each([
    [{ url: 'ftp://example.com/x', eventTypes: ['*'] }, 'invalid_webhook_url'],
    [{ url: 'file:///etc/passwd', eventTypes: ['*'] }, 'invalid_webhook_url'],
    [{ url: 'not a url', eventTypes: ['*'] }, 'invalid_webhook_url'],
    [{ url: 'http://example.com/', eventTypes: ['ledger.nope'] }, 'unknown_event_type'],
    [{ url: 'http://example.com/', eventTypes: ['*'], secret: 'hunter2' }, 'invalid_webhook_secret'],
    [{ url: 'http://example.com/', eventTypes: [] }, 'invalid'],
    [{ url: 'http://example.com/', eventTypes: 'ledger.token.expired' }, 'invalid'],
    [{ url: 42, eventTypes: ['*'] }, 'invalid'],
    [{ eventTypes: ['*'] }, 'invalid'],
    [{ url: 'http://example.com/', eventTypes: ['*'], extra: true }, 'invalid'],
  ])('refuses %j with 400 %s', async (payload, code) => {
    const { status, body } = await admin.post('/api/webhooks/subscriptions/', payload);
    expect([status, (body as { code: string }).code]).toEqual([400, code]);
    expect(typeof (body as { detail: unknown }).detail).toBe('string');
  });

  it('answers 404 or 400, never 500, for unknown ids and bad input', async () => {
    expect((await admin.get('/api/webhooks/subscriptions/abc/')).status).toBe(404);
    expect((await admin.get('/api/webhooks/subscriptions/99999999999/')).status).toBe(404);
    expect((await admin.get('/api/webhooks/subscriptions/424242/deliveries/')).status).toBe(404);
    expect((await admin.patch('/api/webhooks/subscriptions/424242/', { active: true })).status).toBe(404);
    expect((await admin.patch('/api/webhooks/subscriptions/1/', { active: 'yes' })).status).toBe(400);
    expect((await admin.delete('/api/webhooks/subscriptions/424242/')).status).toBe(404);
    const redeliver = await admin.post('/api/webhooks/deliveries/424242/redeliver/');
    expect([redeliver.status, redeliver.body]).toEqual([
      404,
      { detail: 'No webhook delivery has this id.', code: 'webhook_delivery_not_found' },
    ]);
    expect((await admin.get('/api/webhooks/subscriptions/?cursor=garbage')).status).toBe(400);
    expect((await admin.get('/api/webhooks/subscriptions/?limit=0')).status).toBe(400);
    // A well-formed cursor past int4 (ids never get there): 400 invalid_cursor, not the database's out-of-range 500.
    const huge = Buffer.from(JSON.stringify({ before: 3_000_000_000 })).toString('base64url');
    for (const path of ['/api/webhooks/subscriptions/', '/api/webhooks/subscriptions/1/deliveries/']) {
      const answer = await admin.get(`${path}?cursor=${huge}`);
      expect([path, answer.status, answer.body.code]).toEqual([path, 400, 'invalid_cursor']);
    }
  });

  it('pages subscriptions with a cursor only while there is more', async () => {
    const made: number[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await admin.post('/api/webhooks/subscriptions/', {
        url: `http://127.0.0.1:9/paging-${i}`,
        eventTypes: ['auth.family.revoked'],
      });
      made.push((created.body as { id: number }).id);
    }
    const all = (await admin.get('/api/webhooks/subscriptions/?limit=100')).body as {
      subscriptions: { id: number }[];
      nextCursor: string | null;
    };
    expect(all.nextCursor).toBeNull();
    const total = all.subscriptions.length;
    expect(total).toBeGreaterThan(1);
    const first = (await admin.get(`/api/webhooks/subscriptions/?limit=${total - 1}`)).body;
    expect(first.nextCursor).toEqual(expect.any(String));
    const rest = (await admin.get(`/api/webhooks/subscriptions/?limit=${total - 1}&cursor=${first.nextCursor}`)).body;
    expect(rest).toEqual({ subscriptions: [all.subscriptions[total - 1]], nextCursor: null });
    const exact = (await admin.get(`/api/webhooks/subscriptions/?limit=${total}`)).body;
    expect(exact.nextCursor).toBeNull(); // an exactly full last page promises no empty one
    for (const id of made) {
      await admin.delete(`/api/webhooks/subscriptions/${id}/`);
    }
  });

  it('is managed from the CLI too, with one-line errors', async () => {
    const [target, url] = await receiver([200]);
    const created = await cli('webhooks', 'create', '--url', url, '--events', 'ledger.points.granted', '--json');
    expect(created.code).toBe(0);
    const { id, secret } = JSON.parse(created.stdout) as { id: number; secret: string };
    expect(secret).toMatch(/^whsec_/);
    const listed = await cli('webhooks', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(url);
    expect(listed.stdout).not.toContain(secret);
    await grant(4);
    await eventually(
      () => Promise.resolve(target.requests.length),
      (n) => n === 1,
    );
    const log = await eventually(
      () => cli('webhooks', 'deliveries', String(id), '--json'),
      (run) => (JSON.parse(run.stdout) as { deliveries: Delivery[] }).deliveries[0]?.status === 'delivered',
    );
    const [delivery] = (JSON.parse(log.stdout) as { deliveries: Delivery[] }).deliveries;
    const human = await cli('webhooks', 'deliveries', String(id));
    expect(human.stdout).toMatch(/ledger\.points\.granted\s+delivered\s+1\s+200/);
    const again = await cli('webhooks', 'redeliver', String(delivery.id));
    expect(again).toMatchObject({ code: 0 });
    await eventually(
      () => Promise.resolve(target.requests.length),
      (n) => n === 2,
    );
    const refused = await cli('webhooks', 'create', '--url', 'gopher://x/', '--events', '*');
    expect([refused.code, refused.stderr.trim()]).toEqual([
      1,
      'Error: The webhook URL is refused: only http: and https: URLs are accepted, not gopher:.',
    ]);
    const unknown = await cli('webhooks', 'redeliver', 'abc');
    expect([unknown.code, unknown.stderr.trim()]).toEqual([
      1,
      'Error: The delivery id must be a positive integer, not "abc"',
    ]);
    expect(await cli('webhooks', 'delete', String(id))).toMatchObject({ code: 0 });
    const gone = await cli('webhooks', 'delete', String(id));
    expect([gone.code, gone.stderr.trim()]).toEqual([1, 'Error: No webhook subscription has this id.']);
  });
});

describe('webhooks without WEBHOOK_ALLOW_PRIVATE', () => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let admin: Actor;

  beforeAll(async () => {
    ({ app, close } = await startAuthApp('embedded', { EXCHANGE_EXPIRY_CRON: NO_CRON, LOG_LEVEL: 'silent' }));
    admin = await actor(app, 'root', 'admin');
  });
  afterAll(async () => close?.());

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://[::1]/',
    'http://10.0.0.7/',
    'http://169.254.169.254/',
  ])('refuses %s', async (url) => {
    const { status, body } = await admin.post('/api/webhooks/subscriptions/', { url, eventTypes: ['*'] });
    expect([status, (body as { code: string }).code]).toEqual([400, 'private_webhook_url']);
  });
});
