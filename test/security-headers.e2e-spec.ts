import { stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import request, { Response } from 'supertest';
import { createUser, startAuthApp } from './support/auth-app';
import { actor } from './support/ledger-app';

/** A Content-Security-Policy header as directive → sources. */
function csp(response: Response): Map<string, string[]> {
  const header = String(response.headers['content-security-policy'] ?? '');
  return new Map(
    header
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name !== '')
      .map(([name, ...sources]) => [name, sources]),
  );
}

/** CONTRACT §8: on every answer, whatever its status. */
function expectSecurityHeaders(response: Response): void {
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['x-frame-options']).toBe('DENY');
  expect(csp(response).get('frame-ancestors')).toEqual(["'none'"]);
  expect(response.headers['x-powered-by']).toBeUndefined();
}

/** RFC 6749 §5.1: a response carrying a credential is never stored. */
function expectNoStore(response: Response): void {
  // Terminus answers health checks with `no-cache, no-store, must-revalidate`, as strict.
  expect(response.headers['cache-control']).toMatch(/(^|, )no-store(,|$)/);
  expect(response.headers.pragma).toBe('no-cache');
}

describe.each(stackTargets())('Security headers on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, { EXCHANGE_EXPIRY_CRON: '0 0 0 1 1 *' }));
    await createUser(app, 'hedwig');
  });
  afterAll(async () => close?.());

  it('sends nosniff, a frame policy, a CSP that loads nothing and no X-Powered-By on every kind of answer', async () => {
    const answers = [
      await http().get('/api/health').expect(200),
      await http().get('/api/docs-json').expect(200),
      await http().get('/metrics').expect(200),
      await http().get('/api/nothing-here/').expect(404),
      await http().get('/api/points/').expect(401),
      await http().post('/api/token/').set('content-type', 'application/json').send('{"username":').expect(400),
      await http().delete('/api/health/').expect(405),
    ];
    for (const response of answers) {
      expectSecurityHeaders(response);
      expect(csp(response).get('default-src')).toEqual(["'none'"]);
      expectNoStore(response);
      // NODE_ENV is development here: no HSTS (security-headers.spec.ts covers production).
      expect(response.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('never lets a response that carries a token be stored: obtain, refresh, password change', async () => {
    const obtained = await http()
      .post('/api/token/')
      .send({ username: 'hedwig', password: 'correct-horse' })
      .expect(200);
    expectNoStore(obtained);
    const refreshed = await http().post('/api/token/refresh/').send({ refresh: obtained.body.refresh }).expect(200);
    expectNoStore(refreshed);
    const changed = await http()
      .post('/api/users/password/change/')
      .set('authorization', `Bearer ${refreshed.body.access}`)
      .send({ old_password: 'correct-horse', new_password1: 'new-horse-99', new_password2: 'new-horse-99' })
      .expect(200);
    expect(changed.body.access).toEqual(expect.any(String));
    expectNoStore(changed);
    expectNoStore(await http().post('/api/token/verify/').send({ token: changed.body.access }).expect(200));
  });

  it('never lets an exchange token be stored: its creation, its idempotent replay and the status page', async () => {
    const admin = await actor(app, 'headers-admin', 'admin');
    const customer = await actor(app, 'headers-customer', 'customer');
    await admin
      .post('/api/admin/points/grant/', { username: 'headers-customer', points: 50, reason: 'test' })
      .expect(201);
    const create = () => customer.post('/api/exchange-tokens/', { points: 10 }).set('idempotency-key', 'headers-1');
    const first = await create().expect(201);
    const replay = await create().expect(201);
    expect(replay.body.token).toBe(first.body.token);
    expectNoStore(first);
    expectNoStore(replay);
    const status = await customer.get('/api/exchange-tokens/status/').expect(200);
    expect(status.body.tokens[0].token).toBe(first.body.token);
    expectNoStore(status);
  });

  it('serves the Swagger UI under a CSP that allows exactly what its page loads', async () => {
    const page = await http().get('/api/docs').expect(200).expect('content-type', /html/);
    expectSecurityHeaders(page);
    const policy = csp(page);
    // Scripts: same-origin files only; no inline script, no eval.
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    const html = page.text;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    const base = new URL('http://api.test/api/docs');
    const assets: string[] = [];
    for (const [, attributes, body] of scripts) {
      const src = /\bsrc\s*=\s*['"]([^'"]+)['"]/i.exec(attributes)?.[1];
      expect(src).toBeDefined(); // an inline script would be blocked by script-src 'self'
      expect(body.trim()).toBe('');
      assets.push(src as string);
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i); // inline event handlers (script-src-attr)
    for (const [, attributes] of html.matchAll(/<link\b([^>]*)>/gi)) {
      assets.push(/\bhref\s*=\s*['"]([^'"]+)['"]/i.exec(attributes)?.[1] as string);
    }
    // Inline <style> blocks and style attributes are in the template: styles allow them.
    expect(html).toMatch(/<style\b|\sstyle="/);
    expect(policy.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);

    for (const asset of assets) {
      const url = new URL(asset, base);
      expect(url.origin).toBe(base.origin); // 'self'
      const served = await http().get(url.pathname).expect(200);
      // nosniff: a script or stylesheet served under another type would be refused by the browser.
      if (url.pathname.endsWith('.js')) {
        expect(served.headers['content-type']).toMatch(/^(application|text)\/javascript/);
      } else if (url.pathname.endsWith('.css')) {
        expect(served.headers['content-type']).toMatch(/^text\/css/);
        // Its icons are data: URLs.
        expect(served.text).toContain('url("data:image/svg+xml');
        expect(policy.get('img-src')).toEqual(["'self'", 'data:']);
      }
    }
    // The document is inlined in swagger-ui-init.js; "Try it out" calls this origin.
    expect(policy.get('connect-src')).toEqual(["'self'"]);
  });
});
