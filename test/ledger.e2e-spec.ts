import { IdempotencyKeyPurgeCron, LedgerVerifier } from '@app/ledger';
import { StackTarget, stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { startAuthApp } from './support/auth-app';
import { Actor, NO_CRON, actor, expireTokens, sql } from './support/ledger-app';

describe.each(stackTargets())('points and exchange tokens over HTTP on %s', (target: StackTarget) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let admin: Actor;
  let vendor: Actor;
  let n = 0;

  /** A customer with `points` granted by the admin over HTTP. */
  async function customer(points: number): Promise<Actor> {
    const user = await actor(app, `shopper${++n}`, 'customer');
    if (points > 0) {
      await admin.post('/api/admin/points/grant/', { username: user.username, points, reason: 'test' }).expect(201);
    }
    return user;
  }

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, { EXCHANGE_EXPIRY_CRON: NO_CRON }));
    admin = await actor(app, 'admin', 'admin');
    vendor = await actor(app, 'vendor', 'vendor');
  });
  afterAll(async () => close?.());
  afterEach(async () => expect((await app.get(LedgerVerifier).run()).problems).toEqual([]));

  it('grants points (admin only), shows balances and the journal', async () => {
    const alice = await actor(app, 'alice', 'customer');
    expect(
      (await admin.post('/api/admin/points/grant/', { username: 'alice', points: 500, reason: 'welcome' }).expect(201))
        .body,
    ).toEqual({ balance: 500 });
    expect((await admin.post('/api/admin/points/grant', { username: 'alice', points: 25 }).expect(201)).body).toEqual({
      balance: 525,
    });
    expect(
      (await admin.post('/api/admin/points/grant/', { username: 'nobody', points: 5 }).expect(404)).body,
    ).toMatchObject({ code: 'user_not_found' });
    expect((await alice.post('/api/admin/points/grant/', { username: 'alice', points: 5 }).expect(403)).body).toEqual({
      detail: 'You do not have permission to perform this action.',
      code: 'permission_denied',
    });
    await request(app.getHttpServer()).get('/api/points/').expect(401);
    expect((await alice.get('/api/points/').expect(200)).body).toEqual({ balance: 525, held: 0 });
    const page = (await alice.get('/api/points/ledger/?limit=1').expect(200)).body;
    expect(page.entries).toEqual([
      { id: expect.any(Number), type: 'grant', points: 25, tokenId: null, createdAt: expect.any(String) },
    ]);
    const rest = (await alice.get(`/api/points/ledger/?limit=1&cursor=${page.nextCursor}`).expect(200)).body;
    expect(rest).toEqual({ entries: [expect.objectContaining({ points: 500 })], nextCursor: null });
    expect((await alice.get('/api/points/ledger/?cursor=garbage').expect(400)).body).toMatchObject({
      code: 'invalid_cursor',
    });
  });

  it('creates a token (customer), then a vendor redeems it once', async () => {
    const bob = await customer(300);
    const created = await bob.post('/api/exchange-tokens/', { points: 100 }).expect(201);
    expect(created.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      points: 100,
      expiresAt: expect.any(String),
      expiresInSeconds: 180,
      qrCode: expect.stringMatching(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/),
    });
    expect((await bob.get('/api/points/').expect(200)).body).toEqual({ balance: 200, held: 100 });
    await vendor.post('/api/exchange-tokens/', { points: 1 }).expect(403);
    await bob.post('/api/exchange-tokens/validate/', { token: created.body.token }).expect(403);

    const validated = await vendor.post('/api/exchange-tokens/validate/', { token: created.body.token }).expect(201);
    expect(validated.body).toEqual({
      exchangeRequest: {
        id: expect.any(Number),
        token: created.body.token,
        points: 100,
        customer: bob.username,
        vendor: 'vendor',
        createdAt: expect.any(String),
      },
    });
    expect(
      (await vendor.post('/api/exchange-tokens/validate/', { token: created.body.token }).expect(409)).body,
    ).toEqual({
      detail: 'This exchange token has already been used.',
      code: 'token_already_used',
    });
    expect((await bob.get('/api/points/').expect(200)).body).toEqual({ balance: 200, held: 0 });
  });

  it.each([
    ['zero', { points: 0 }],
    ['negative', { points: -5 }],
    ['fractional', { points: 2.5 }],
    ['a word', { points: 'abc' }],
    ['a numeric string', { points: '5' }],
    ['missing', {}],
    ['null', { points: null }],
    ['2^31', { points: 2 ** 31 }],
    ['huge', { points: 1e300 }],
  ])('refuses points that are %s with a field error and debits nothing', async (_label, body) => {
    const carol = await customer(100);
    const answer = await carol.post('/api/exchange-tokens/', body).expect(400);
    expect(answer.body).toMatchObject({
      code: 'invalid',
      detail: expect.any(String),
      errors: { points: [expect.stringMatching(/positive integer/)] },
    });
    expect((await carol.get('/api/points/').expect(200)).body).toEqual({ balance: 100, held: 0 });
  });

  it('answers 409 insufficient_points with the amounts and 404 for tokens of the wrong shape', async () => {
    const dan = await customer(50);
    expect((await dan.post('/api/exchange-tokens/', { points: 51 }).expect(409)).body).toEqual({
      detail: 'Not enough points: 50 available, 51 requested.',
      code: 'insufficient_points',
      available: 50,
      requested: 51,
    });
    for (const token of ['nope', 'A'.repeat(32), 'x'.repeat(5000), '../../etc/passwd', '%00', '', ' '.repeat(32)]) {
      expect((await vendor.post('/api/exchange-tokens/validate/', { token }).expect(404)).body).toEqual({
        detail: 'No exchange token matches this value.',
        code: 'token_not_found',
      });
    }
    expect((await vendor.post('/api/exchange-tokens/validate/', {}).expect(400)).body).toMatchObject({
      code: 'invalid',
      errors: { token: expect.any(Array) },
    });
    expect((await dan.get('/api/points/').expect(200)).body).toEqual({ balance: 50, held: 0 });
  });

  it('restores an expired token’s points when a vendor scans it (410 with pointsRestored)', async () => {
    const erin = await customer(200);
    const { token } = (await erin.post('/api/exchange-tokens/', { points: 120 }).expect(201)).body;
    await expireTokens(app, [token]);
    const gone = await vendor.post('/api/exchange-tokens/validate/', { token }).expect(410);
    expect(gone.body).toEqual({ detail: expect.stringMatching(/expired/), code: 'token_expired', pointsRestored: 120 });
    expect((await erin.get('/api/points/').expect(200)).body).toEqual({ balance: 200, held: 0 });
    expect((await vendor.post('/api/exchange-tokens/validate/', { token }).expect(410)).body).toMatchObject({
      pointsRestored: 120,
    });
  });

  it('restores expired tokens when the customer creates a new one', async () => {
    const fay = await customer(100);
    const first = (await fay.post('/api/exchange-tokens/', { points: 100 }).expect(201)).body;
    await expireTokens(app, [first.token]);
    await fay.post('/api/exchange-tokens/', { points: 100 }).expect(201);
    expect((await fay.get('/api/points/').expect(200)).body).toEqual({ balance: 0, held: 100 });
  });

  it('shows lazy expiry, active tokens first and a cursor in the status', async () => {
    const gus = await customer(1000);
    const made: string[] = [];
    for (const points of [10, 20, 30, 40]) {
      made.push((await gus.post('/api/exchange-tokens/', { points }).expect(201)).body.token);
    }
    await vendor.post('/api/exchange-tokens/validate/', { token: made[0] }).expect(201);
    await vendor.post('/api/exchange-tokens/validate/', { token: made[1] }).expect(201);
    await expireTokens(app, [made[2]]);
    const first = (await gus.get('/api/exchange-tokens/status/?limit=3').expect(200)).body;
    expect(first).toMatchObject({ balance: 900, held: 70 });
    expect(first.tokens.map((t: { token: string; status: string }) => [t.token, t.status])).toEqual([
      [made[3], 'active'],
      [made[2], 'expired'],
      [made[1], 'used'],
    ]);
    expect(first.tokens[0].secondsRemaining).toBeGreaterThan(170);
    expect(first.tokens[1].secondsRemaining).toBe(0);
    const second = (await gus.get(`/api/exchange-tokens/status/?limit=3&cursor=${first.nextCursor}`).expect(200)).body;
    expect(second.tokens.map((t: { token: string }) => t.token)).toEqual([made[0]]);
    expect(second.nextCursor).toBeNull();
    await vendor.get('/api/exchange-tokens/status/').expect(403);
    expect((await gus.get('/api/exchange-tokens/status/?limit=0').expect(400)).body).toMatchObject({
      code: 'invalid',
      errors: { limit: expect.any(Array) },
    });
  });

  it('honours Idempotency-Key: a retry returns the first answer and debits nothing more', async () => {
    const hal = await customer(500);
    const first = await hal
      .post('/api/exchange-tokens/', { points: 100 })
      .set('Idempotency-Key', 'order-42')
      .expect(201);
    const retries = await Promise.all(
      Array.from({ length: 5 }, () =>
        hal.post('/api/exchange-tokens/', { points: 100 }).set('Idempotency-Key', 'order-42'),
      ),
    );
    retries.forEach((retry) => expect(retry.body.token).toBe(first.body.token));
    expect((await hal.get('/api/points/').expect(200)).body).toEqual({ balance: 400, held: 100 });
    expect(
      (await hal.post('/api/exchange-tokens/', { points: 5 }).set('Idempotency-Key', 'order-42').expect(422)).body,
    ).toMatchObject({ code: 'idempotency_key_reused' });
    // Past the 24-hour retention the hourly purge forgets the key: it would then create a new token.
    await sql(app).query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'order-42'`);
    await app.get(IdempotencyKeyPurgeCron).purge();
    const fresh = await hal
      .post('/api/exchange-tokens/', { points: 100 })
      .set('Idempotency-Key', 'order-42')
      .expect(201);
    expect(fresh.body.token).not.toBe(first.body.token);
    expect((await hal.get('/api/points/').expect(200)).body).toEqual({ balance: 300, held: 200 });
  });

  it('counts tokens on /metrics', async () => {
    const text = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(text).toMatch(/^hourglass_exchange_tokens_created_total \d+/m);
    expect(text).toMatch(/^hourglass_exchange_tokens_redeemed_total \d+/m);
    expect(text).toMatch(/^hourglass_exchange_tokens_expired_total\{trigger="validate"\} \d+/m);
    expect(text).toMatch(/^hourglass_expiry_lag_seconds \d/m);
    expect(text).toMatch(/^hourglass_expiry_sweep_duration_seconds_count\{trigger="create"\} \d+/m);
  });

  it('keeps the journal append-only at the database level', async () => {
    await expect(sql(app).query('DELETE FROM ledger_entries')).rejects.toThrow(/append-only/);
  });
});

describe.each(stackTargets())('the every-second expiry cron on %s', (target: StackTarget) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target));
  });
  afterAll(async () => close?.());

  it('restores an expired token’s points within about a second, once', async () => {
    const admin = await actor(app, 'admin', 'admin');
    const ivy = await actor(app, 'ivy', 'customer');
    await admin.post('/api/admin/points/grant/', { username: 'ivy', points: 100 }).expect(201);
    const { token } = (await ivy.post('/api/exchange-tokens/', { points: 100 }).expect(201)).body;
    await expireTokens(app, [token]);
    const deadline = Date.now() + 5_000;
    let balances = (await ivy.get('/api/points/').expect(200)).body;
    while (balances.balance !== 100 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      balances = (await ivy.get('/api/points/').expect(200)).body;
    }
    expect(balances).toEqual({ balance: 100, held: 0 });
    const runs = await sql(app).query(`SELECT trigger, tokens, points FROM sweep_runs`);
    expect(runs).toEqual([{ trigger: 'cron', tokens: 1, points: '100' }]);
    expect((await app.get(LedgerVerifier).run()).problems).toEqual([]);
  });
});
