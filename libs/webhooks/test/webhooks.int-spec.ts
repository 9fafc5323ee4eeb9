import { Database } from '@app/database';
import { EventsModule, NewDomainEvent, OutboxRelay, OutboxRepository } from '@app/events';
import {
  DatabaseTarget,
  TestDatabase,
  WebhookReceiver,
  createDatabaseTestApp,
  createTestDatabase,
  databaseTargets,
  eventuallyHolds as eventually,
} from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { WebhookDeliveryService } from '../src/webhook-delivery.service';
import { WebhooksModule } from '../src/webhooks.module';
import { WebhooksRepository } from '../src/webhooks.repository';
import { WebhooksService } from '../src/webhooks.service';

function granted(userId: number): NewDomainEvent {
  return {
    type: 'ledger.points.granted',
    aggregateType: 'user',
    aggregateId: String(userId),
    subject: `users/${userId}`,
    data: { userId, points: 5, balance: 5, reason: null },
  };
}

function revoked(userId: number): NewDomainEvent {
  return {
    type: 'auth.family.revoked',
    aggregateType: 'refresh_family',
    aggregateId: `f${userId}`,
    subject: `users/${userId}`,
    data: { userId, familyId: `f${userId}`, reason: 'logout' },
  };
}

describe.each(databaseTargets())('webhooks on the %s database', (target: DatabaseTarget) => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let webhooks: WebhooksService;
  let repository: WebhooksRepository;
  const receivers: WebhookReceiver[] = [];

  async function receiver(script: (number | 'hang')[]): Promise<[WebhookReceiver, string]> {
    const created = new WebhookReceiver(script);
    receivers.push(created);
    return [created, await created.start()];
  }

  async function publish(events: NewDomainEvent[]): Promise<void> {
    await app.get(Database).transaction((manager) => app.get(OutboxRepository).append(manager, events));
    await app.get(OutboxRelay).relay();
  }

  const deliveriesOf = async (subscriptionId: number) =>
    (await webhooks.deliveries(subscriptionId, { limit: 200 })).deliveries;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    app = await createDatabaseTestApp({
      env: {
        ...database.env,
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_RETRY_BASE: '50ms',
        WEBHOOK_TIMEOUT: '1s',
        WEBHOOK_SUBSCRIPTION_CONCURRENCY: '2',
      },
      imports: [EventsModule, WebhooksModule],
    });
    webhooks = app.get(WebhooksService);
    repository = app.get(WebhooksRepository);
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all(receivers.map((r) => r.stop()));
    await database?.cleanup();
  });

  it('fans each published event out once to every active subscription that wants its type', async () => {
    const grants = await webhooks.create({ url: 'http://127.0.0.1:9/a', eventTypes: ['ledger.points.granted'] });
    const all = await webhooks.create({ url: 'http://127.0.0.1:9/b', eventTypes: ['*'] });
    const paused = await webhooks.create({ url: 'http://127.0.0.1:9/c', eventTypes: ['*'] });
    await webhooks.update(paused.id, { active: false });
    // Paused subscriptions claim nothing: keep these three out of the sender's way.
    await webhooks.update(grants.id, { active: false });
    await webhooks.update(all.id, { active: false });
    await app
      .get(DataSource)
      .query('UPDATE webhook_subscriptions SET active = true WHERE id = ANY($1)', [[grants.id, all.id]]);

    await publish([granted(1), revoked(1), granted(2)]);
    // A relay that republishes (a crash between publish and mark) fans nothing out again.
    const rows = await app
      .get(DataSource)
      .query<{ id: string }[]>(`SELECT id FROM outbox_events ORDER BY seq DESC LIMIT 3`);
    await app
      .get(DataSource)
      .query('UPDATE outbox_events SET sent_at = NULL WHERE id = ANY($1::uuid[])', [rows.map((row) => row.id)]);
    await app.get(OutboxRelay).relay();

    const toGrants = await deliveriesOf(grants.id);
    const toAll = await deliveriesOf(all.id);
    expect(toGrants.map((d) => d.eventType)).toEqual(['ledger.points.granted', 'ledger.points.granted']);
    expect(toAll.map((d) => d.eventType)).toEqual([
      'ledger.points.granted',
      'auth.family.revoked',
      'ledger.points.granted',
    ]);
    expect(await deliveriesOf(paused.id)).toEqual([]);
    expect(toAll[0]).toMatchObject({ status: 'pending', attempts: 0, lastStatusCode: null, lastError: null });
    await webhooks.delete(grants.id);
    await webhooks.delete(all.id);
    await webhooks.delete(paused.id);
  });

  it('delivers the CloudEvent as published, signed, after three 500s, with the same webhook-id each time', async () => {
    const [target, url] = await receiver([500, 500, 500, 200]);
    const { id, secret } = await webhooks.create({ url, eventTypes: ['ledger.points.granted'] });
    await publish([granted(7)]);
    const [published] = await app
      .get(DataSource)
      .query<{ id: string }[]>(`SELECT id FROM outbox_events ORDER BY seq DESC LIMIT 1`);
    const sender = app.get(WebhookDeliveryService);
    const [delivery] = await eventually(
      async () => {
        await sender.dispatch();
        return deliveriesOf(id);
      },
      ([only]) => only.status === 'delivered',
    );
    expect(target.requests).toHaveLength(4);
    expect(new Set(target.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([published.id]));
    const last = target.requests[3];
    expect(last.headers['content-type']).toBe('application/json');
    const event = new Webhook(secret).verify(last.body, last.headers as Record<string, string>) as Record<
      string,
      unknown
    >;
    expect(event).toMatchObject({
      specversion: '1.0',
      id: published.id,
      type: 'ledger.points.granted',
      source: '/hourglass/ledger',
      data: { userId: 7, points: 5 },
    });
    expect(Object.keys(event)[0]).toBe('specversion'); // the published text itself, not a re-serialization
    expect(delivery).toMatchObject({ attempts: 4, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    // The retries waited: 50 ms, 100 ms, 200 ms nominal (±20%).
    const gaps = target.requests.slice(1).map((r, i) => r.at - target.requests[i].at);
    expect(gaps[2]).toBeGreaterThanOrEqual(150);
    await webhooks.delete(id);
  });

  it('records a failure, its status code and the next attempt, and redelivers on demand', async () => {
    const [target, url] = await receiver([503, 503, 503, 503, 503, 204]);
    const { id } = await webhooks.create({ url, eventTypes: ['auth.family.revoked'] });
    await publish([revoked(9)]);
    await app.get(WebhookDeliveryService).dispatch();
    const [failed] = await eventually(
      () => deliveriesOf(id),
      ([only]) => only.attempts === 1 && only.lastStatusCode === 503,
    );
    expect(failed).toMatchObject({ status: 'pending', lastError: 'HTTP 503', nextAttemptAt: expect.any(String) });
    await app.get(DataSource).query(`UPDATE webhook_deliveries SET status = 'failed' WHERE id = $1`, [failed.id]);
    const again = await webhooks.redeliver(failed.id);
    expect(again).toMatchObject({ status: 'pending', attempts: 0, lastStatusCode: 503 });
    await eventually(
      async () => {
        await app.get(WebhookDeliveryService).dispatch();
        return deliveriesOf(id);
      },
      ([only]) => only.status === 'delivered',
    );
    expect(target.requests.length).toBeGreaterThanOrEqual(2);
    await webhooks.delete(id);
  });

  it('gives up after the retry window, counted from the first attempt', async () => {
    const [, url] = await receiver([500]);
    const { id } = await webhooks.create({ url, eventTypes: ['auth.family.revoked'] });
    await publish([revoked(10)]);
    const claim = (leaseId: string) => repository.claimDue({ perSubscription: 1, limit: 10, leaseId, leaseMs: 5000 });
    const crashed = '00000000-0000-4000-8000-000000000001';
    const leaseId = '00000000-0000-4000-8000-000000000002';
    const [claimed] = await claim(crashed);
    expect(claimed.subscriptionId).toBe(id);
    // Its sender dies without recording anything: nobody else takes it while the lease runs…
    expect(await claim(leaseId)).toEqual([]);
    await app
      .get(DataSource)
      .query('UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = $1', [claimed.id]);
    // …then it falls due again.
    const [second] = await claim(leaseId);
    expect(second).toMatchObject({ id: claimed.id, attempts: 2 });
    const outcome = { statusCode: 500, error: 'HTTP 500', delayMs: 2000 };
    // The first sender, if it comes back, no longer holds the lease: its outcome is not recorded.
    expect(await repository.recordFailure(claimed.id, crashed, { ...outcome, windowMs: 60_000 })).toBeUndefined();
    expect(await repository.recordFailure(second.id, leaseId, { ...outcome, windowMs: 1000 })).toBe('failed');
    const [delivery] = await deliveriesOf(id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 2, nextAttemptAt: null });
    await webhooks.delete(id);
  });

  it('purges finished deliveries past the retention, never pending ones', async () => {
    const { id } = await webhooks.create({ url: 'http://127.0.0.1:9/purge', eventTypes: ['auth.family.revoked'] });
    await webhooks.update(id, { active: false });
    await app.get(DataSource).query('UPDATE webhook_subscriptions SET active = true WHERE id = $1', [id]);
    await publish([revoked(30), revoked(31), revoked(32)]);
    const [newest, middle, oldest] = await deliveriesOf(id);
    await app.get(DataSource).query(
      `UPDATE webhook_deliveries SET status = CASE id WHEN $1 THEN 'delivered' WHEN $2 THEN 'failed' ELSE 'pending' END,
         last_attempt_at = now() - interval '2 hours' WHERE subscription_id = $3`,
      [oldest.id, middle.id, id],
    );
    expect(await repository.purgeFinished(3_600_000)).toBe(2);
    expect((await deliveriesOf(id)).map((d) => d.id)).toEqual([newest.id]);
    await webhooks.delete(id);
  });

  it('keeps a hanging target to its own slots: another subscription is delivered at once', async () => {
    const [hanging, slowUrl] = await receiver(['hang']);
    const [healthy, fastUrl] = await receiver([200]);
    const slow = await webhooks.create({ url: slowUrl, eventTypes: ['ledger.points.granted'] });
    await publish([granted(20), granted(21), granted(22)]);
    const sender = app.get(WebhookDeliveryService);
    expect(await sender.dispatch()).toBe(2); // WEBHOOK_SUBSCRIPTION_CONCURRENCY
    await eventually(
      () => hanging.requests.length,
      (n) => n === 2,
    );
    expect(await sender.dispatch()).toBe(0); // the third waits for a slot of its own subscription
    const fast = await webhooks.create({ url: fastUrl, eventTypes: ['ledger.points.granted'] });
    const started = Date.now();
    await publish([granted(23)]);
    await sender.dispatch();
    await eventually(
      () => healthy.requests.length,
      (n) => n === 1,
      2000,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    // The hanging requests time out (WEBHOOK_TIMEOUT=1s) and count as failed attempts.
    const timedOut = await eventually(
      () => deliveriesOf(slow.id),
      (rows) => rows.filter((row) => row.lastError === 'timed out after 1000 ms').length === 2,
    );
    expect(timedOut.every((row) => row.status === 'pending')).toBe(true);
    await webhooks.delete(slow.id);
    await webhooks.delete(fast.id);
  });
});
