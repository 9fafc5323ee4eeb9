import { AsyncLocalStorage } from 'node:async_hooks';
import { IncomingMessage, ServerResponse } from 'node:http';
import { DatabaseNotifications } from '@app/database';
import { stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource, EntitySubscriberInterface } from 'typeorm';
import { createUser, login, sleep, startAuthApp } from './support/auth-app';
import { AuthProbeModule } from './support/auth-probe';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Counts the queries that the app's DataSource sends while it handles an HTTP request. Each request
 * runs in an async context of its own, so the crons and the LISTEN connection of the same process
 * are not counted; the count is read from TypeORM's `beforeQuery` hook, which every query of the
 * DataSource passes (query builder, repositories and raw `query()` alike).
 */
function countRequestQueries(app: NestExpressApplication): () => number {
  const inRequest = new AsyncLocalStorage<true>();
  let queries = 0;
  const counter: EntitySubscriberInterface = {
    beforeQuery: () => {
      if (inRequest.getStore() === true) {
        queries++;
      }
    },
  };
  app.get(DataSource).subscribers.push(counter);
  const server = app.getHttpServer();
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) =>
    inRequest.run(true, () => listeners.forEach((listener) => listener.call(server, req, res))),
  );
  return () => queries;
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) {
    await sleep(20);
  }
  return check();
}

const ROUNDS = 20;

describe.each(stackTargets())('Authentication without a database round trip on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let queries: () => number;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, {}, [AuthProbeModule]));
    queries = countRequestQueries(app);
  });
  afterAll(async () => close?.());

  it('verifies access tokens and authenticates requests from the caches once they are warm', async () => {
    await createUser(app, 'quinn');
    const { access } = await login(app, 'quinn');
    const verify = () => http().post('/api/token/verify/').send({ token: access }).expect(200, {});
    const me = () => http().get('/api/probe-auth/me').set('authorization', `Bearer ${access}`).expect(200);

    const cold = queries();
    await verify(); // Loads the user (the counter sees real queries)…
    expect(queries()).toBeGreaterThan(cold);
    // …and the user cache works only while this process hears revocations.
    expect(await eventually(() => app.get(DatabaseNotifications).isLive(), 10_000)).toBe(true);
    await verify();
    await me();

    const warm = queries();
    for (let round = 0; round < ROUNDS; round++) {
      await verify();
      await me();
    }
    expect(queries() - warm).toBe(0);

    // The caches still answer revocation at once: revoke-all is a request like any other.
    await http().post('/api/token/revoke-all/').set('authorization', `Bearer ${access}`).expect(200);
    await http()
      .post('/api/token/verify/')
      .send({ token: access })
      .expect(400, { non_field_errors: ['Token is blacklisted'] });
    await http().get('/api/probe-auth/me').set('authorization', `Bearer ${access}`).expect(401);
  });
});
