import { NestExpressApplication } from '@nestjs/platform-express';
import { ExpirySweeper } from '@app/ledger';
import request from 'supertest';
import { claimsOf, login, startAuthApp } from './support/auth-app';
import { Actor, NO_CRON, actor, sql } from './support/ledger-app';

/**
 * The two admin endpoints the web console needed (issue 16): `POST /api/admin/users/` (the CLI's
 * `users create`) and `GET /api/admin/ledger/verify/` (the CLI's `ledger verify`), and how the API
 * serves the console itself.
 */
describe('the console’s admin endpoints, and /console/', () => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let admin: Actor;
  let customer: Actor;

  beforeAll(async () => {
    ({ app, close } = await startAuthApp('embedded', { EXCHANGE_EXPIRY_CRON: NO_CRON }));
    admin = await actor(app, 'admin', 'admin');
    customer = await actor(app, 'carla', 'customer');
  });
  afterAll(async () => close?.());

  it('creates an account with a role, for an admin only, with DRF field errors', async () => {
    const created = await admin.post('/api/admin/users/', {
      username: 'victor',
      password: 'correct-horse',
      role: 'vendor',
    });
    expect({ status: created.status, body: created.body }).toEqual({
      status: 201,
      body: { id: expect.any(Number), username: 'victor', email: '', role: 'vendor' },
    });
    expect(claimsOf((await login(app, 'victor')).access)).toMatchObject({ role: 'vendor' });
    expect((await admin.post('/api/admin/users', { username: 'cleo', password: 'correct-horse' })).body).toMatchObject({
      username: 'cleo',
      role: 'customer',
    });

    const taken = await admin.post('/api/admin/users/', { username: 'victor', password: 'correct-horse' });
    expect({ status: taken.status, body: taken.body }).toEqual({
      status: 400,
      body: {
        detail: 'Invalid input - username: A user with that username already exists.',
        code: 'invalid',
        errors: { username: ['A user with that username already exists.'] },
      },
    });
    const badRole = await admin.post('/api/admin/users/', { username: 'x', password: 'correct-horse', role: 'boss' });
    expect(badRole.status).toBe(400);
    expect(badRole.body.detail).toMatch(/role must be one of the following values: customer, vendor, admin/);
    await customer.post('/api/admin/users/', { username: 'y', password: 'correct-horse' }).expect(403);
    await request(app.getHttpServer()).post('/api/admin/users/').send({}).expect(401);
  });

  it('verifies the ledger for an admin only, and reports a drift', async () => {
    await admin.post('/api/admin/points/grant/', { username: 'carla', points: 300 }).expect(201);
    const clean = (await admin.get('/api/admin/ledger/verify/').expect(200)).body;
    expect(clean).toMatchObject({ drift: [], tokenProblems: [], problems: [] });
    expect(clean.accounts).toBeGreaterThanOrEqual(1);
    await customer.get('/api/admin/ledger/verify/').expect(403);

    // A balance changed behind the journal's back (what a bad migration or a manual UPDATE does).
    await sql(app).query(
      `UPDATE point_accounts SET balance = balance + 1 WHERE user_id = (SELECT id FROM users WHERE username = 'carla')`,
    );
    const drifted = (await admin.get('/api/admin/ledger/verify/').expect(200)).body;
    expect(drifted.drift).toEqual([expect.objectContaining({ username: 'carla', balance: 301, journalBalance: 300 })]);
    expect(drifted.problems).toHaveLength(1);
    await sql(app).query(
      `UPDATE point_accounts SET balance = balance - 1 WHERE user_id = (SELECT id FROM users WHERE username = 'carla')`,
    );
  });

  it('gives the admin every hold (never the token), the latest expiries and sweeps', async () => {
    await admin.post('/api/admin/points/grant/', { username: 'carla', points: 100 }).expect(201);
    const created = (await customer.post('/api/exchange-tokens/', { points: 40 }).expect(201)).body;
    const overview = (await admin.get('/api/admin/ledger/tokens/').expect(200)).body;
    expect(overview).toMatchObject({ activeCount: 1, heldPoints: 40, recentExpiries: [], sweepRuns: [] });
    expect(overview.active).toEqual([
      {
        seq: expect.any(Number),
        username: 'carla',
        points: 40,
        expiresAt: created.expiresAt,
        secondsRemaining: expect.any(Number),
      },
    ]);
    expect(JSON.stringify(overview)).not.toContain(created.token);
    await customer.get('/api/admin/ledger/tokens/').expect(403);

    await sql(app).query(`UPDATE exchange_tokens SET expires_at = now() - interval '1 second' WHERE status = 'active'`);
    await app.get(ExpirySweeper).sweep({ trigger: 'cli' });
    const after = (await admin.get('/api/admin/ledger/tokens/').expect(200)).body;
    expect(after).toMatchObject({ activeCount: 0, heldPoints: 0, active: [] });
    expect(after.recentExpiries).toEqual([{ username: 'carla', points: 40, releasedAt: expect.any(String) }]);
    expect(after.sweepRuns).toEqual([expect.objectContaining({ trigger: 'cli', tokens: 1, users: 1, points: 40 })]);
  });

  it('lists every Vinted session for an admin only, never a cookie', async () => {
    const report = (await admin.get('/api/admin/vinted/sessions/').expect(200)).body;
    expect(report.statuses).toEqual({ active: 0, expired: 0, error: 0, requires_configuration: 0 });
    expect(report.sessions).toEqual([]);
    await customer.get('/api/admin/vinted/sessions/').expect(403);
  });

  it('answers /console/ without a build with a 404 that says how to make one, or with the page and its CSP', async () => {
    const page = await request(app.getHttpServer()).get('/console/some/route');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    if (page.status === 404) {
      expect(page.body).toEqual({
        detail: 'The console is not built: run `npm run build`.',
        code: 'console_not_built',
      });
    } else {
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/<div id="root"><\/div>/);
      expect(page.text).not.toMatch(/<script>/); // no inline script: script-src 'self' holds
      expect(page.headers['cache-control']).toBe('no-cache');
      // Its script, precompressed at build time: the encoding the browser accepts, or none.
      const script = /<script type="module" crossorigin src="([^"]+)">/.exec(page.text)?.[1] ?? '';
      const server = () => request(app.getHttpServer());
      const gzip = await server().get(script).set('Accept-Encoding', 'gzip');
      expect(gzip.headers).toMatchObject({ 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
      expect(gzip.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
      expect(gzip.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const brotli = await server().get(script).set('Accept-Encoding', 'gzip, br');
      expect(brotli.headers['content-encoding']).toBe('br');
      const plain = await server().get(script).set('Accept-Encoding', 'identity');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(brotli.text).toBe(plain.text); // supertest decodes it
      expect(Number(brotli.headers['content-length']) * 3).toBeLessThan(Number(plain.headers['content-length']));
      await server().get('/console/assets/missing.js').expect(404);
    }
    await request(app.getHttpServer()).get('/console').expect(301).expect('Location', '/console/');
    expect((await customer.get('/api/points/')).headers['cache-control']).toBe('no-store'); // the API's rule is untouched
  });
});
