import { loadConfig } from '@app/config';
import { FakeVintedServer, StackTarget, TestStack, stackTargets } from '@app/testing';
import { TokenRefreshScheduler } from '@app/vinted';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SchedulerRegistry } from '@nestjs/schedule';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApiApp } from '../apps/api/src/create-api-app';
import { SIGNING_KEY, TEST_AUTH_THROTTLE_LIMIT, startAuthApp } from './support/auth-app';
import { storeCookies, vintedEnv, vintedUser } from './support/vinted-app';

describe.each(stackTargets())('the Vinted refresh scheduler on the %s stack', (target: StackTarget) => {
  let fake: FakeVintedServer;
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let stack: TestStack;
  let admin: string;
  let customer: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    fake = await FakeVintedServer.start();
    ({ app, close, stack } = await startAuthApp(target, vintedEnv(fake)));
    stopPolling(app);
    admin = (await vintedUser(app, 'boss', 'admin')).bearer;
    customer = (await vintedUser(app, 'carl')).bearer;
  });
  afterAll(async () => {
    await close?.();
    await fake?.close();
  });

  it('is admin-only and stays off when VINTED_AUTO_REFRESH_ENABLED=false', async () => {
    await http().get('/api/v1/vinted/scheduler').set('Authorization', customer).expect(403);
    await http().post('/api/v1/vinted/scheduler').set('Authorization', customer).send({ action: 'start' }).expect(403);
    const { body } = await http().get('/api/v1/vinted/scheduler').set('Authorization', admin).expect(200);
    expect(body).toEqual({
      isActive: false,
      autoRefreshEnabled: false,
      intervalMinutes: 30,
      lastRunAt: null,
      nextRunAt: null,
      lastRun: null,
    });
  });

  it.each([
    [{ action: 'pause' }, 'action'],
    [{}, 'action'],
    [{ action: 'start', intervalMinutes: 0 }, 'intervalMinutes'],
    [{ action: 'start', intervalMinutes: 1441 }, 'intervalMinutes'],
    [{ action: 'start', intervalMinutes: 2.5 }, 'intervalMinutes'],
    [{ action: 'start', intervalMinutes: '10' }, 'intervalMinutes'],
  ])('refuses %j with 400 naming %s', async (body, field) => {
    const response = await http().post('/api/v1/vinted/scheduler').set('Authorization', admin).send(body).expect(400);
    expect(response.body).toEqual(expect.objectContaining({ code: 'invalid', detail: expect.stringContaining(field) }));
  });

  it('starts, restarts with a new interval and stops, with the state kept in the database', async () => {
    const started = await http()
      .post('/api/v1/vinted/scheduler')
      .set('Authorization', admin)
      .send({ action: 'start', intervalMinutes: 15 })
      .expect(200);
    expect(started.body).toEqual(
      expect.objectContaining({ isActive: true, intervalMinutes: 15, nextRunAt: expect.any(String) }),
    );
    const [row] = await app
      .get(DataSource)
      .query(`SELECT value FROM app_settings WHERE key = 'vinted.token-refresh-scheduler'`);
    expect(row.value).toEqual(expect.objectContaining({ active: true, intervalMinutes: 15, controlledBy: 'admin' }));
    const restarted = await http()
      .post('/api/v1/vinted/scheduler')
      .set('Authorization', admin)
      .send({ action: 'restart', intervalMinutes: 45 })
      .expect(200);
    expect(restarted.body).toEqual(expect.objectContaining({ isActive: true, intervalMinutes: 45 }));
    const stopped = await http()
      .post('/api/v1/vinted/scheduler')
      .set('Authorization', admin)
      .send({ action: 'stop' })
      .expect(200);
    expect(stopped.body).toEqual(expect.objectContaining({ isActive: false, intervalMinutes: 45, nextRunAt: null }));
    await http()
      .get('/api/v1/vinted/scheduler')
      .set('Authorization', admin)
      .expect(200)
      .expect((r) => expect(r.body.isActive).toBe(false));
    await expect(app.get(TokenRefreshScheduler).runDueTick({ jitterMaxMs: 0 })).resolves.toBeUndefined();
  });

  it('refreshes the sessions due before the next tick once per tick, and records the run', async () => {
    const due = await vintedUser(app, 'due');
    const later = await vintedUser(app, 'later');
    await storeCookies(app, due.bearer, await fake.issueSession('due', { accessSeconds: 20 * 60 }));
    await storeCookies(app, later.bearer, await fake.issueSession('later', { accessSeconds: 3 * 3600 }));
    await http()
      .post('/api/v1/vinted/scheduler')
      .set('Authorization', admin)
      .send({ action: 'start', intervalMinutes: 30 })
      .expect(200);
    const before = fake.refreshCalls;
    const report = await app.get(TokenRefreshScheduler).runDueTick({ jitterMaxMs: 0 });
    expect(report).toEqual(expect.objectContaining({ checked: 1, refreshed: 1, failed: 0 }));
    expect(fake.refreshCalls - before).toBe(1);
    // Not due again until the interval has passed.
    await expect(app.get(TokenRefreshScheduler).runDueTick({ jitterMaxMs: 0 })).resolves.toBeUndefined();
    const { body } = await http().get('/api/v1/vinted/scheduler').set('Authorization', admin).expect(200);
    expect(body).toEqual(
      expect.objectContaining({
        isActive: true,
        lastRunAt: expect.any(String),
        lastRun: { checked: 1, refreshed: 1, failed: 0 },
      }),
    );
    expect(Date.parse(body.nextRunAt) - Date.parse(body.lastRunAt)).toBe(30 * 60_000);
  });

  it('refreshes a session once when the token endpoint and a tick race on it', async () => {
    const racer = await vintedUser(app, 'racer');
    await storeCookies(app, racer.bearer, await fake.issueSession('racer', { accessSeconds: 60 }));
    fake.latencyMs = 200;
    const before = fake.refreshCalls;
    const [tick, ...answers] = await Promise.all([
      app.get(TokenRefreshScheduler).runTick({ intervalMinutes: 30, jitterMaxMs: 0 }),
      ...Array.from({ length: 4 }, () =>
        http().get('/api/v1/market-analysis/token').set('Authorization', racer.bearer),
      ),
    ]);
    fake.latencyMs = 0;
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(tick.failed).toBe(0);
    expect(fake.refreshCalls - before).toBe(1);
  });

  it('never exceeds the concurrency limit', async () => {
    for (let i = 0; i < 12; i++) {
      const user = await vintedUser(app, `bulk-${i}`);
      await storeCookies(app, user.bearer, await fake.issueSession(`bulk-${i}`, { accessSeconds: 60 }));
    }
    fake.latencyMs = 50;
    fake.maxInFlight = 0;
    const report = await app
      .get(TokenRefreshScheduler)
      .runTick({ intervalMinutes: 30, jitterMaxMs: 0, concurrency: 3 });
    fake.latencyMs = 0;
    expect(report).toEqual(expect.objectContaining({ checked: 12, refreshed: 12, failed: 0 }));
    expect(report.maxInFlight).toBe(3);
    expect(fake.maxInFlight).toBeLessThanOrEqual(3);
  });

  if (target === 'servers') {
    it('runs each tick on one replica and refreshes each session once when two API instances poll together', async () => {
      const replica = await createApiApp(
        loadConfig({
          JWT_SIGNING_KEY: SIGNING_KEY,
          AUTH_THROTTLE_LIMIT: TEST_AUTH_THROTTLE_LIMIT,
          ...stack.env,
          ...vintedEnv(fake),
        }).config,
      );
      stopPolling(replica);
      try {
        for (let i = 0; i < 6; i++) {
          const user = await vintedUser(app, `replica-${i}`);
          await storeCookies(app, user.bearer, await fake.issueSession(`replica-${i}`, { accessSeconds: 60 }));
        }
        // Started through the second replica: the first one sees it, since the state is in the database.
        const replicaAdmin = await request(replica.getHttpServer())
          .post('/api/token/')
          .send({ username: 'boss', password: 'correct-horse' })
          .expect(200);
        await request(replica.getHttpServer())
          .post('/api/v1/vinted/scheduler')
          .set('Authorization', `Bearer ${replicaAdmin.body.access}`)
          .send({ action: 'restart', intervalMinutes: 30 })
          .expect(200);
        fake.latencyMs = 100;
        const before = fake.refreshCalls;
        const reports = await Promise.all(
          [app, replica, app, replica].map((instance) =>
            instance.get(TokenRefreshScheduler).runDueTick({ jitterMaxMs: 0 }),
          ),
        );
        fake.latencyMs = 0;
        const ran = reports.filter((report) => report !== undefined);
        expect(ran).toHaveLength(1);
        expect(ran[0]).toEqual(expect.objectContaining({ checked: 6, refreshed: 6 }));
        expect(fake.refreshCalls - before).toBe(6);

        // Token requests for one session on both replicas: one refresh; the other replica waits on the lease.
        const shared = await vintedUser(app, 'shared');
        await storeCookies(app, shared.bearer, await fake.issueSession('shared', { accessSeconds: 60 }));
        fake.latencyMs = 300;
        const beforeTokens = fake.refreshCalls;
        const answers = await Promise.all(
          [app, replica, app, replica].map((instance) =>
            request(instance.getHttpServer()).get('/api/v1/market-analysis/token').set('Authorization', shared.bearer),
          ),
        );
        fake.latencyMs = 0;
        expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
        expect(new Set(answers.map((answer) => (answer.body as { accessToken: string }).accessToken)).size).toBe(1);
        expect(fake.refreshCalls - beforeTokens).toBe(1);
      } finally {
        await replica.close();
      }
    });
  }
});

describe('Vinted start-up (VINTED_AUTO_REFRESH_ENABLED, VINTED_SESSION)', () => {
  it('auto-starts the scheduler and stores VINTED_SESSION for the admin once, never bringing back a spent token', async () => {
    const fake = await FakeVintedServer.start();
    const cookies = await fake.issueSession('admin-account', { accessSeconds: 60 });
    const env = vintedEnv(fake, {
      VINTED_AUTO_REFRESH_ENABLED: 'true',
      VINTED_SESSION: cookies,
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'correct-horse',
    });
    const first = await startAuthApp('embedded', env);
    let second: NestExpressApplication | undefined;
    try {
      const bearer = `Bearer ${(await request(first.app.getHttpServer()).post('/api/token/').send({ username: 'root', password: 'correct-horse' }).expect(200)).body.access}`;
      const scheduler = await request(first.app.getHttpServer())
        .get('/api/v1/vinted/scheduler')
        .set('Authorization', bearer)
        .expect(200);
      expect(scheduler.body).toEqual(
        expect.objectContaining({ isActive: true, autoRefreshEnabled: true, intervalMinutes: 30 }),
      );
      await request(first.app.getHttpServer())
        .get('/api/v1/vinted/auth')
        .set('Authorization', bearer)
        .expect(200)
        .expect((r) => expect(r.body.status).toBe('active'));
      // The tick the auto-start scheduled (run here, or by the app's own poll) refreshes the admin's token: it rotates.
      await first.app.get(TokenRefreshScheduler).runDueTick({ jitterMaxMs: 0 });
      await waitUntil(async () => (await first.app.get(TokenRefreshScheduler).view()).lastRun?.refreshed === 1);
      await first.app.close();
      // A restart with the same VINTED_SESSION must keep the rotated session, not the spent cookies.
      second = await createApiApp(
        loadConfig({
          JWT_SIGNING_KEY: SIGNING_KEY,
          AUTH_THROTTLE_LIMIT: TEST_AUTH_THROTTLE_LIMIT,
          ...first.stack.env,
          ...env,
        }).config,
      );
      const before = fake.refreshCalls;
      const token = await request(second.getHttpServer())
        .get('/api/v1/market-analysis/token')
        .set('Authorization', bearer)
        .expect(200);
      expect(token.body.accessToken).not.toBe(/access_token_web=([^;]+)/.exec(cookies)?.[1]);
      expect(fake.refreshCalls).toBe(before);
    } finally {
      await second?.close();
      await first.stack.cleanup();
      await fake.close();
    }
  });
});

/** The specs drive ticks themselves: the 10 s background poll would race them for the tick. */
function stopPolling(app: NestExpressApplication): void {
  app.get(SchedulerRegistry).deleteInterval('vinted-token-refresh-poll');
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error('timed out');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
