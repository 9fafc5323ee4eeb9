import { AuthenticatedUser } from '@app/auth';
import { HourglassApiError, MemoryTokenStore, createHourglassClient } from '@app/client';
import { stackTargets } from '@app/testing';
import { Controller, Get, Module } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { claimsOf, createUser, sleep, startAuthApp } from './support/auth-app';
import { Authenticated, CurrentUser } from '../apps/api/src/auth/guard';

/** The product has no authenticated GET of its own in this suite's scope: a probe stands in for one. */
@Controller('api/probe-client')
class ClientProbeController {
  @Get('me')
  @Authenticated()
  me(@CurrentUser() user: AuthenticatedUser) {
    return user;
  }
}

@Module({ controllers: [ClientProbeController] })
class ClientProbeModule {}

const ME = '/api/probe-client/me';
const REFRESH = /^\/api\/token\/refresh\/?(?:\?|$)/;
const PASSWORD = 'correct-horse';

/**
 * Token lifetimes are whole seconds and `iat` is floored, so a "1s" token lives between a few ms
 * and 1 s: a refreshed token could expire before the 20 retries land. 2 s guarantees at least 1 s.
 */
const ACCESS_LIFETIME = '2s';

/** Resolves once `access` is expired for the server (its `exp` second has begun, plus a margin). */
async function waitUntilExpired(access: string): Promise<void> {
  const exp = claimsOf(access).exp as number;
  await sleep(Math.max(0, exp * 1000 + 150 - Date.now()));
}

describe.each(stackTargets())('the typed client against the real API on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let baseURL: string;
  /** POST /api/token/refresh/ requests the HTTP server received (every request, whatever its fate). */
  let serverRefreshes = 0;

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, { JWT_ACCESS_TOKEN_LIFETIME: ACCESS_LIFETIME }, [ClientProbeModule]));
    await app.listen(0, '127.0.0.1');
    const server = app.getHttpServer();
    server.on('request', (req: IncomingMessage) => {
      if (req.method === 'POST' && REFRESH.test(req.url ?? '')) {
        serverRefreshes += 1;
      }
    });
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => close?.());

  /** A client with its own store, counting its refresh calls and its onAuthFailure calls. */
  function newClient() {
    const tokenStore = new MemoryTokenStore();
    const authFailures: HourglassApiError[] = [];
    const client = createHourglassClient({
      baseURL,
      tokenStore,
      onAuthFailure: (error) => void authFailures.push(error),
    });
    let refreshCalls = 0;
    client.axios.interceptors.request.use((config) => {
      if (config.method === 'post' && REFRESH.test(config.url ?? '')) {
        refreshCalls += 1;
      }
      return config;
    });
    return { client, tokenStore, authFailures, refreshCalls: () => refreshCalls };
  }

  /** A fresh user (made directly: registration through the client is the first test's job) logged in through the client. */
  async function loggedIn(username: string) {
    await createUser(app, username, PASSWORD);
    const session = newClient();
    await session.client.obtainToken({ username, password: PASSWORD });
    return session;
  }

  const me = (client: ReturnType<typeof newClient>['client']) =>
    client.axios.get<AuthenticatedUser>(ME).then((response) => response.data);

  it('registers, logs in and calls a protected endpoint through the client', async () => {
    const { client, tokenStore, authFailures } = newClient();
    const created = await client.register({ username: 'alice', email: 'alice@example.com', password: PASSWORD });
    expect(created).toEqual({
      id: expect.any(Number),
      username: 'alice',
      email: 'alice@example.com',
      role: 'customer',
    });

    const pair = await client.obtainToken({ username: 'alice', password: PASSWORD });
    expect(tokenStore.get()).toEqual({ access: pair.access, refresh: pair.refresh });
    expect(claimsOf(pair.access)).toMatchObject({ token_type: 'access', user_id: created.id, role: 'customer' });
    await expect(client.verifyToken(pair.access)).resolves.toEqual({});

    await expect(me(client)).resolves.toEqual({ id: created.id, username: 'alice', role: 'customer' });
    expect(authFailures).toEqual([]);

    // A public call never carries the token; a wrong password is the API's exact 401.
    await expect(client.health()).resolves.toMatchObject({ status: 'ok' });
    const refused = await client
      .obtainToken({ username: 'alice', password: 'wrong-password' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HourglassApiError);
    expect(refused).toMatchObject({ status: 401, detail: 'No active account found with the given credentials' });
  });

  it('20 concurrent requests with an expired access token: exactly 1 refresh reaches the server, 20 successes', async () => {
    const { client, tokenStore, authFailures, refreshCalls } = await loggedIn('bob');
    const before = tokenStore.get()!;
    await waitUntilExpired(before.access);
    await expect(client.verifyToken(before.access)).rejects.toMatchObject({
      status: 401,
      code: 'token_not_valid',
      detail: 'Token is expired',
    });

    const serverBefore = serverRefreshes;
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => me(client)));

    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    for (const result of results) {
      expect(result).toEqual({
        status: 'fulfilled',
        value: { id: expect.any(Number), username: 'bob', role: 'customer' },
      });
    }
    expect(refreshCalls()).toBe(1);
    expect(serverRefreshes - serverBefore).toBe(1);
    expect(authFailures).toEqual([]);

    // The rotated pair is stored, the old refresh token is spent, and the next call needs no refresh.
    const after = tokenStore.get()!;
    expect(after.access).not.toBe(before.access);
    expect(after.refresh).not.toBe(before.refresh);
    await expect(client.verifyToken(before.refresh)).rejects.toMatchObject({
      status: 400,
      body: { non_field_errors: ['Token is blacklisted'] },
    });
    await expect(me(client)).resolves.toMatchObject({ username: 'bob' });
    expect(refreshCalls()).toBe(1);
  });

  it('a refused refresh (blacklisted token): one refresh, onAuthFailure once, the store cleared, every request rejected', async () => {
    const { client, tokenStore, authFailures, refreshCalls } = await loggedIn('carol');
    const pair = tokenStore.get()!;
    // Logged out from another tab: the refresh token is blacklisted behind this client's back.
    await createHourglassClient({ baseURL, tokenStore: new MemoryTokenStore(pair) }).logout();
    await waitUntilExpired(pair.access);

    const serverBefore = serverRefreshes;
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => me(client)));

    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as unknown;
      expect(reason).toBeInstanceOf(HourglassApiError);
      expect(reason).toMatchObject({ status: 401, code: 'token_not_valid' });
    }
    expect(refreshCalls()).toBe(1);
    expect(serverRefreshes - serverBefore).toBe(1);
    expect(authFailures).toHaveLength(1);
    expect(authFailures[0]).toMatchObject({ status: 401, code: 'token_not_valid', detail: 'Token is blacklisted' });
    expect(tokenStore.get()).toBeNull();

    // Logged out: the next call goes without a token, gets the plain 401, and refreshes nothing.
    await expect(me(client)).rejects.toMatchObject({
      status: 401,
      detail: 'Authentication credentials were not provided.',
    });
    expect(refreshCalls()).toBe(1);
    expect(authFailures).toHaveLength(1);
  });

  it('revoke-all from another session: the live access token is refused, the refresh too, onAuthFailure once', async () => {
    const first = await loggedIn('dave');
    await expect(me(first.client)).resolves.toMatchObject({ username: 'dave' });
    const refreshesBefore = first.refreshCalls();

    const second = newClient();
    await second.client.obtainToken({ username: 'dave', password: PASSWORD });
    await expect(second.client.revokeAll()).resolves.toEqual({ revoked: 2 });
    expect(second.tokenStore.get()).toBeNull();

    const results = await Promise.allSettled(Array.from({ length: 5 }, () => me(first.client)));
    for (const result of results) {
      expect(result).toMatchObject({ status: 'rejected', reason: { status: 401, code: 'token_not_valid' } });
    }
    expect(first.refreshCalls() - refreshesBefore).toBe(1);
    expect(first.authFailures).toHaveLength(1);
    expect(first.authFailures[0]).toMatchObject({ status: 401, detail: 'Token is blacklisted' });
    expect(first.tokenStore.get()).toBeNull();
    expect(second.authFailures).toEqual([]);
  });
});
