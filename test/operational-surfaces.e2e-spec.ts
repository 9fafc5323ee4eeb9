import { stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createUser, login, startAuthApp } from './support/auth-app';

const METRICS_TOKEN = 'metrics-token-0123456789-0123456789-abcdef';

type Operation = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  responses: string[];
  /** Needs a user's access token (the `bearer` security scheme). */
  bearer: boolean;
};

/** Every operation of the OpenAPI document, path parameters filled with 1. */
async function operations(app: NestExpressApplication): Promise<Operation[]> {
  const { body } = await request(app.getHttpServer()).get('/api/docs-json').expect(200);
  const paths = body.paths as Record<
    string,
    Record<string, { responses?: Record<string, unknown>; security?: Record<string, unknown>[] }>
  >;
  return Object.entries(paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method as Operation['method'],
      path: template.replace(/\{[^}]+\}/g, '1'),
      responses: Object.keys(operation.responses ?? {}),
      bearer: (operation.security ?? []).some((scheme) => 'bearer' in scheme),
    })),
  );
}

/** Swagger promises `{detail, code}` on every error; DRF's `detail` sentence is kept. */
function expectDetailAndCode(body: unknown, where: string): void {
  expect({ where, body }).toEqual({
    where,
    body: expect.objectContaining({ detail: expect.any(String), code: expect.any(String) }),
  });
}

describe.each(stackTargets())('Operational surfaces on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, {
      METRICS_TOKEN,
      VINTED_AUTO_REFRESH_ENABLED: 'false',
      EXCHANGE_EXPIRY_CRON: '0 0 0 1 1 *',
    }));
    await createUser(app, 'ops-customer', 'correct-horse', 'customer');
    await createUser(app, 'ops-vendor', 'correct-horse', 'vendor');
  });
  afterAll(async () => close?.());

  describe('GET /metrics with METRICS_TOKEN', () => {
    it('answers a scrape without the token 401 {detail, code} with the Bearer challenge', async () => {
      const response = await http().get('/metrics').expect(401);
      expect(response.body).toEqual({
        detail: 'Authentication credentials were not provided.',
        code: 'not_authenticated',
      });
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(response.text).not.toContain('process_cpu');
    });

    it('refuses a wrong token, another scheme and a user access token', async () => {
      const { access } = await login(app, 'ops-customer');
      for (const authorization of [
        `Bearer ${METRICS_TOKEN}x`,
        `Bearer ${METRICS_TOKEN.slice(0, -1)}`,
        `Bearer ${access}`,
        `Bearer ${METRICS_TOKEN} extra`,
      ]) {
        await http()
          .get('/metrics')
          .set('authorization', authorization)
          .expect(401, { detail: 'Incorrect authentication credentials.', code: 'authentication_failed' });
      }
      await http()
        .get('/metrics')
        .set('authorization', `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`)
        .expect(401, { detail: 'Authentication credentials were not provided.', code: 'not_authenticated' });
    });

    it('serves the metrics to the right token', async () => {
      const { text } = await http()
        .get('/metrics')
        .set('authorization', `Bearer ${METRICS_TOKEN}`)
        .expect(200)
        .expect('content-type', /text\/plain/);
      expect(text).toContain('process_cpu_user_seconds_total');
    });

    it('documents the 401 in the OpenAPI document', async () => {
      const metrics = (await operations(app)).find((operation) => operation.path === '/metrics');
      expect(metrics?.responses).toEqual(expect.arrayContaining(['200', '401']));
    });
  });

  describe('401 and 403 bodies', () => {
    it('carry a code on every authenticated operation called without a token', async () => {
      const protectedOperations = (await operations(app)).filter((operation) => operation.bearer);
      expect(protectedOperations.length).toBeGreaterThan(10);
      let refused = 0;
      for (const { method, path } of protectedOperations) {
        const response = await http()[method](path).send({});
        if (response.status === 401) {
          refused += 1;
          expectDetailAndCode(response.body, `${method.toUpperCase()} ${path}`);
        }
      }
      expect(refused).toBe(protectedOperations.length);
      const { body } = await http().get('/api/points/').expect(401);
      expect(body).toEqual({ detail: 'Authentication credentials were not provided.', code: 'not_authenticated' });
    });

    it('carry a code on every role-restricted operation called with the wrong role', async () => {
      const restricted = (await operations(app)).filter((operation) => operation.responses.includes('403'));
      const tokens = [(await login(app, 'ops-customer')).access, (await login(app, 'ops-vendor')).access];
      let refused = 0;
      for (const { method, path } of restricted) {
        for (const token of tokens) {
          const response = await http()[method](path).set('authorization', `Bearer ${token}`).send({});
          if (response.status === 403) {
            refused += 1;
            expectDetailAndCode(response.body, `${method.toUpperCase()} ${path}`);
          }
        }
      }
      expect(refused).toBeGreaterThan(5);
      const customer = (await login(app, 'ops-customer')).access;
      await http()
        .post('/api/admin/points/grant/')
        .set('authorization', `Bearer ${customer}`)
        .send({ username: 'ops-customer', points: 1 })
        .expect(403, { detail: 'You do not have permission to perform this action.', code: 'permission_denied' });
    });

    it("carry simplejwt's code on a refused login", async () => {
      await http()
        .post('/api/token/')
        .send({ username: 'ops-customer', password: 'wrong-horse' })
        .expect(401, { detail: 'No active account found with the given credentials', code: 'no_active_account' });
    });
  });
});
