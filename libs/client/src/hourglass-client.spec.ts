import { startFakeServer, type FakeServer } from '../test/fake-simplejwt-server';
import { HourglassApiError } from './api.errors';
import { createHourglassClient, type HourglassClient } from './hourglass-client';
import { MemoryTokenStore } from './token-store';

describe('createHourglassClient against a simplejwt-shaped server', () => {
  let server: FakeServer;
  let store: MemoryTokenStore;
  let onAuthFailure: jest.Mock;
  let client: HourglassClient;

  beforeEach(async () => {
    server = await startFakeServer();
    store = new MemoryTokenStore();
    onAuthFailure = jest.fn();
    client = createHourglassClient({ baseURL: server.baseURL, tokenStore: store, onAuthFailure });
  });
  afterEach(() => server.close());

  /** Logs in, then expires the access token server-side: the next call will 401 token_not_valid. */
  async function loginWithExpiredAccess() {
    const pair = await client.obtainToken({ username: 'alice', password: 'wonderland' });
    server.expire(pair.access);
    return pair;
  }
  const hits = (path: string) => server.log.filter((entry) => entry.path === path);

  it('logs in, stores the pair and sends it as a Bearer token', async () => {
    const pair = await client.obtainToken({ username: 'alice', password: 'wonderland' });
    expect(store.get()).toEqual(pair);
    await expect(client.getPoints()).resolves.toEqual({ balance: 100, held: 0 });
    expect(hits('/api/points/')[0].authorization).toBe(`Bearer ${pair.access}`);
    expect(hits('/api/token/')[0].authorization).toBeUndefined();
  });

  it.each([
    ['while the refresh is slow', 30],
    ['when late 401s arrive after the refresh', 0],
  ])('20 concurrent requests with an expired access token: exactly 1 refresh, 20 successes (%s)', async (_, delay) => {
    const old = await loginWithExpiredAccess();
    server.options.refreshDelayMs = delay;
    const results = await Promise.all(Array.from({ length: 20 }, () => client.getPoints()));
    expect(results).toHaveLength(20);
    expect(results.every((r) => r.balance === 100)).toBe(true);
    expect(server.refreshCalls).toBe(1);
    const rotated = store.get()!;
    expect(rotated.refresh).not.toBe(old.refresh);
    const points = hits('/api/points/');
    expect(points.filter((e) => e.status === 401)).toHaveLength(20);
    expect(points.filter((e) => e.status === 200)).toHaveLength(20);
    expect(points.filter((e) => e.status === 200).every((e) => e.authorization === `Bearer ${rotated.access}`)).toBe(
      true,
    );
    expect(onAuthFailure).not.toHaveBeenCalled();
  });

  it('requests started while a refresh is in flight wait for it and go out with the new token', async () => {
    await loginWithExpiredAccess();
    server.options.refreshDelayMs = 50;
    const first = client.getPoints();
    while (server.refreshCalls === 0) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const later = await Promise.all([client.getPoints(), client.getPoints()]);
    await first;
    expect(later).toHaveLength(2);
    expect(server.refreshCalls).toBe(1);
    expect(hits('/api/points/').filter((e) => e.status === 401)).toHaveLength(1);
  });

  it('a refused refresh calls onAuthFailure once, clears the store and fails every request with the 401', async () => {
    const old = await loginWithExpiredAccess();
    await client.axios.post('/api/token/blacklist/', { refresh: old.refresh }); // e.g. logged out in another tab
    store.set(old);
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => client.getPoints()));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    const error = (outcomes[0] as PromiseRejectedResult).reason as HourglassApiError;
    expect(error).toBeInstanceOf(HourglassApiError);
    expect(error).toMatchObject({
      status: 401,
      code: 'token_not_valid',
      detail: 'Given token not valid for any token type',
    });
    expect(error.cause).toMatchObject({ status: 401, detail: 'Token is blacklisted', code: 'token_not_valid' });
    expect(server.refreshCalls).toBe(1);
    expect(onAuthFailure).toHaveBeenCalledTimes(1);
    expect(onAuthFailure.mock.calls[0][0]).toMatchObject({ status: 401, detail: 'Token is blacklisted' });
    expect(store.get()).toBeNull();
  });

  it('a retried request that 401s again fails instead of looping', async () => {
    await loginWithExpiredAccess();
    server.options.issueExpiredAccess = true; // the server hands out already-expired access tokens
    await expect(client.getPoints()).rejects.toMatchObject({ status: 401, code: 'token_not_valid' });
    expect(server.refreshCalls).toBe(1);
    expect(hits('/api/points/')).toHaveLength(2);
    expect(onAuthFailure).not.toHaveBeenCalled();
  });

  it('never intercepts the token endpoints themselves', async () => {
    const pair = await loginWithExpiredAccess();
    await expect(client.verifyToken(pair.access)).rejects.toMatchObject({ status: 401, detail: 'Token is expired' });
    await expect(client.axios.post('/api/token/refresh/', { refresh: 'garbage' })).rejects.toMatchObject({
      status: 401,
      body: { detail: 'Token is invalid', code: 'token_not_valid' },
    });
    await expect(client.obtainToken({ username: 'alice', password: 'nope' })).rejects.toMatchObject({
      status: 401,
      body: { detail: 'No active account found with the given credentials' },
    });
    expect(server.refreshCalls).toBe(1); // only the explicit call above
    expect(server.log.filter((e) => e.path.startsWith('/api/token/')).every((e) => e.authorization === undefined)).toBe(
      true,
    );
    expect(onAuthFailure).not.toHaveBeenCalled();
    expect(store.get()).toEqual(pair);
  });

  it('throws a typed error on 409 insufficient_points, without refreshing', async () => {
    await client.obtainToken({ username: 'alice', password: 'wonderland' });
    const error: unknown = await client.createExchangeToken(500, { idempotencyKey: 'k-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HourglassApiError);
    expect(error).toMatchObject({
      status: 409,
      code: 'insufficient_points',
      detail: 'Not enough points for this exchange.',
    });
    expect((error as HourglassApiError).body).toMatchObject({ balance: 100 });
    expect(server.refreshCalls).toBe(0);
  });

  it('does not refresh on 401 without token_not_valid (no credentials)', async () => {
    await expect(client.getPoints()).rejects.toMatchObject({
      status: 401,
      code: undefined,
      detail: 'Authentication credentials were not provided.',
      headers: expect.objectContaining({ 'www-authenticate': 'Bearer realm="api"' }) as unknown,
    });
    expect(server.refreshCalls).toBe(0);
  });

  it('keeps the tokens and skips onAuthFailure when the refresh fails for a server reason (503)', async () => {
    const old = await loginWithExpiredAccess();
    server.options.refreshStatus = 503;
    await expect(client.getPoints()).rejects.toMatchObject({ status: 401 });
    expect(onAuthFailure).not.toHaveBeenCalled();
    expect(store.get()).toEqual(old);
  });

  it('logout blacklists the refresh token and clears the store', async () => {
    const pair = await client.obtainToken({ username: 'alice', password: 'wonderland' });
    await client.logout();
    expect(store.get()).toBeNull();
    expect(hits('/api/token/blacklist/')).toMatchObject([{ status: 200 }]);
    await expect(client.verifyToken(pair.refresh)).rejects.toMatchObject({
      status: 400,
      body: { non_field_errors: ['Token is blacklisted'] },
    });
  });

  it('sends the Idempotency-Key and returns the typed exchange token', async () => {
    await client.obtainToken({ username: 'alice', password: 'wonderland' });
    const token = await client.createExchangeToken(40, { idempotencyKey: 'k-2' });
    expect(token).toMatchObject({
      points: 40,
      expiresInSeconds: 180,
      qrCode: expect.stringMatching(/^data:image\/png;base64,/) as unknown,
    });
    expect(hits('/api/exchange-tokens/')[0].idempotencyKey).toBe('k-2');
    await expect(client.getPoints()).resolves.toEqual({ balance: 60, held: 0 });
  });
});
