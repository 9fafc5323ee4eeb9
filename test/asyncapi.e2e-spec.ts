/* eslint-disable @typescript-eslint/no-unsafe-return -- walks the untyped JSON of the document */
import { type CloudEvent, DOMAIN_EVENT_TYPES, LocalEventStream } from '@app/events';
import { MessageBus } from '@app/messaging';
import { FakeVintedServer } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { login, startAuthApp } from './support/auth-app';
import { actor, expireTokens } from './support/ledger-app';
import { storeCookies, vintedEnv, vintedUser } from './support/vinted-app';
import { NumberState, WHATSAPP_TEST_ENV, eventually, whatsappActor } from './support/whatsapp-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The AsyncAPI document is served, and it does not lie: every message the running API and its
 * in-process WhatsApp node publish on the worker queues validates against the document's schema
 * for that queue and action. (The embedded stack: one process publishes both sides.)
 */
describe('GET /api/asyncapi.json', () => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  const published: { queue: string; body: Json }[] = [];
  const events: CloudEvent[] = [];
  let fake: FakeVintedServer;

  beforeAll(async () => {
    fake = await FakeVintedServer.start();
    ({ app, close } = await startAuthApp('embedded', {
      ...WHATSAPP_TEST_ENV,
      ...vintedEnv(fake),
      LOG_LEVEL: 'silent',
    }));
    const bus = app.get(MessageBus);
    const publish = bus.publish.bind(bus);
    jest.spyOn(bus, 'publish').mockImplementation((queue, body) => {
      published.push({ queue, body: structuredClone(body) });
      return publish(queue, body);
    });
    app.get(LocalEventStream).subscribe((event) => events.push(structuredClone(event)));
  });
  afterAll(async () => {
    await close?.();
    await fake?.close();
  });

  /** The document's message for a channel address (a queue, or an event type on hourglass.events). */
  const messagesOf = (document: Json, address: string): Json[] => {
    const resolve = (ref: string): Json =>
      ref
        .slice(2)
        .split('/')
        .reduce<Json>((node, part) => node[part], document);
    const channel = Object.values(document.channels as Json).find((candidate) => candidate.address === address);
    return channel === undefined ? [] : Object.values(channel.messages as Json).map((ref) => resolve(ref.$ref));
  };

  const fetchDocument = async () =>
    (await request(app.getHttpServer()).get('/api/asyncapi.json').expect(200)).body as Json;

  it('serves an AsyncAPI 3.0.0 document without authentication, never cached', async () => {
    const response = await request(app.getHttpServer())
      .get('/api/asyncapi.json')
      .expect(200)
      .expect('content-type', /^application\/json/)
      .expect('cache-control', 'no-store');
    expect(response.body.asyncapi).toBe('3.0.0');
    expect(Object.values(response.body.channels as Json).map((channel) => channel.address)).toEqual(
      expect.arrayContaining(['whatsapp.worker.events', 'whatsapp.worker.commands', 'ledger.token.expired']),
    );
  });

  it('describes every message the code publishes on the worker queues', async () => {
    const admin = await whatsappActor(app, 'asyncapi-admin', 'admin');
    const register = async (phoneNumber: string) =>
      ((await admin.post('/api/whatsapp/numbers/', { phoneNumber }).expect(201)).body as NumberState).id;
    const until = (id: number, status: string) =>
      eventually(
        async () => ((await admin.get(`/api/whatsapp/numbers/${id}/`)).body as NumberState).status,
        (now) => now === status,
      );
    // One number connects (scan, then a regeneration finds it connected); another runs out of QR codes.
    const scanned = await register('+221779990001');
    await admin.post(`/api/whatsapp/numbers/${scanned}/validate/`).expect(202);
    await until(scanned, 'qr_ready');
    await admin.post(`/api/whatsapp/numbers/${scanned}/simulate-scan/`).expect(202);
    await until(scanned, 'connected');
    await admin.post(`/api/whatsapp/numbers/${scanned}/regenerate-qr/`).expect(202);
    const abandoned = await register('+221779990002');
    await admin.post(`/api/whatsapp/numbers/${abandoned}/validate/`).expect(202);
    await until(abandoned, 'failed');
    await eventually(
      () => Promise.resolve(published.filter(({ body }) => body.action === 'connected').length),
      (count) => count >= 2,
    );

    const document = await fetchDocument();
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    const channelOf = (queue: string): Json =>
      Object.values(document.channels as Json).find((channel) =>
        new RegExp(`^${channel.address.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '[^.]+')}$`).test(queue),
      );
    const resolve = (ref: string): Json =>
      ref
        .slice(2)
        .split('/')
        .reduce<Json>((node, part) => node[part], document);
    for (const { queue, body } of published) {
      const channel = channelOf(queue);
      expect({ queue, described: channel !== undefined }).toEqual({ queue, described: true });
      const message = Object.values(channel.messages as Json)
        .map((ref) => resolve(ref.$ref))
        .find((candidate) => candidate.title === body.action);
      expect({ queue, action: body.action, described: message !== undefined }).toEqual({
        queue,
        action: body.action,
        described: true,
      });
      if (message === undefined) {
        continue;
      }
      expect(message.contentType).toBe('application/json');
      const validate = ajv.compile(message.payload);
      expect({ body, valid: validate(body), errors: validate.errors }).toEqual({ body, valid: true, errors: null });
    }
    expect(new Set(published.map(({ body }) => body.action))).toEqual(
      new Set([
        'validate_number',
        'simulate_scan',
        'regenerate_qr',
        'qr_generated',
        'qr_regenerating',
        'connected',
        'error',
        'heartbeat',
      ]),
    );
  });

  it('describes every domain event the outbox relay publishes, as it publishes it', async () => {
    const admin = await actor(app, 'asyncapi-events-admin', 'admin');
    const customer = await actor(app, 'asyncapi-events-customer', 'customer');
    const vendor = await actor(app, 'asyncapi-events-vendor', 'vendor');
    await admin
      .post('/api/admin/points/grant/', { username: customer.username, points: 50, reason: 'asyncapi' })
      .expect(201);
    const redeemed = (await customer.post('/api/exchange-tokens/', { points: 10 }).expect(201)).body as Json;
    await vendor.post('/api/exchange-tokens/validate/', { token: redeemed.token }).expect(201);
    const expired = (await customer.post('/api/exchange-tokens/', { points: 20 }).expect(201)).body as Json;
    await expireTokens(app, [expired.token as string]);
    await vendor.post('/api/exchange-tokens/validate/', { token: expired.token }).expect(410);
    const { refresh } = await login(app, customer.username);
    await request(app.getHttpServer()).post('/api/token/blacklist/').send({ refresh }).expect(200);
    // A new Vinted session (none → active), then Vinted refuses its refresh token (active → expired).
    const vinted = await vintedUser(app, 'asyncapi-events-vinted');
    const cookies = await fake.issueSession('asyncapi-events-vinted', { accessSeconds: 30 });
    expect((await storeCookies(app, vinted.bearer, cookies)).status).toBe(201);
    fake.revokeAll();
    await request(app.getHttpServer())
      .get('/api/v1/market-analysis/token')
      .set('Authorization', vinted.bearer)
      .expect(409);
    await eventually(
      () => Promise.resolve(new Set<string>(events.map((event) => event.type))),
      // Every type the events lib declares: a type added later must be published here too.
      (types) => DOMAIN_EVENT_TYPES.every((type) => types.has(type)),
    );
    await eventually(
      () => Promise.resolve(events.filter((event) => event.type === 'vinted.session.status_changed')),
      (changes) => changes.length >= 2,
    );
    expect(events.filter((event) => event.type === 'vinted.session.status_changed').map((event) => event.data)).toEqual(
      [
        expect.objectContaining({ from: 'none', to: 'active', reasonKind: null }),
        expect.objectContaining({ from: 'active', to: 'expired', reasonKind: 'dead' }),
      ],
    );

    const document = await fetchDocument();
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    for (const event of events) {
      const [message] = messagesOf(document, event.type);
      expect({ type: event.type, described: message !== undefined }).toEqual({ type: event.type, described: true });
      expect(message.contentType).toBe('application/cloudevents+json');
      const validate = ajv.compile(message.payload);
      expect({ event, valid: validate(event), errors: validate.errors }).toEqual({ event, valid: true, errors: null });
    }
    // No event names an exchange token by its secret string.
    expect(JSON.stringify(events)).not.toContain(redeemed.token as string);
    expect(JSON.stringify(events)).not.toContain(expired.token as string);
    // Nor any Vinted cookie.
    for (const value of cookies.split('; ').map((pair) => pair.split('=')[1])) {
      expect(JSON.stringify(events)).not.toContain(value);
    }
  });
});
