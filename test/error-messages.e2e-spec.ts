import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { ROOT_LOGGER, RootLogger } from '@app/common';
import { stackTargets } from '@app/testing';
import { Logger } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createUser, login, startAuthApp } from './support/auth-app';

const settled = () => new Promise((resolve) => setTimeout(resolve, 30));

/**
 * Issue 14 §8 and §9, as a newcomer meets them: one error per field, the most relevant one, in the
 * field's own name; a body the API cannot read is said so; an expected 503 is a warning, without
 * a stack.
 */
describe.each(stackTargets())('Error answers and their log lines, on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let customer: string;
  let admin: string;
  const http = () => request(app.getHttpServer());

  /** A POST with `body` sent byte for byte and no `Content-Type` at all (superagent always adds one). */
  function postWithoutContentType(path: string, body: string, bearer: string) {
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const call = httpRequest(
        { port, path, method: 'POST', headers: { Authorization: `Bearer ${bearer}`, 'Content-Length': body.length } },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as unknown }));
        },
      );
      call.on('error', reject);
      call.end(body);
    });
  }

  beforeAll(async () => {
    // No VINTED_CREDENTIALS_SECRET: storing a Vinted session is the expected 503 `requires_configuration`.
    ({ app, close } = await startAuthApp(target, { VINTED_AUTO_REFRESH_ENABLED: 'false', LOG_LEVEL: 'warn' }));
    await app.listen(0, '127.0.0.1');
    await createUser(app, 'msg-customer', 'correct-horse', 'customer');
    await createUser(app, 'msg-admin', 'correct-horse', 'admin');
    customer = (await login(app, 'msg-customer')).access;
    admin = (await login(app, 'msg-admin')).access;
  });
  afterAll(async () => close?.());
  afterEach(() => jest.restoreAllMocks());

  describe('one error per field', () => {
    it('answers {} to the Vinted endpoint with one error for cookies: it is required', async () => {
      const { body } = await http()
        .post('/api/v1/vinted/auth')
        .set('Authorization', `Bearer ${customer}`)
        .send({})
        .expect(400);
      expect(body).toEqual({
        detail: 'Invalid input - cookies: This field is required.',
        code: 'invalid',
        errors: { cookies: ['This field is required.'] },
      });
    });

    it('answers ?limit=abc with one message: not an integer', async () => {
      for (const path of ['/api/points/ledger/?limit=abc', '/api/exchange-tokens/status/?limit=abc']) {
        const { body } = await http().get(path).set('Authorization', `Bearer ${customer}`).expect(400);
        expect(body).toEqual({
          detail: 'Invalid input - limit must be an integer number.',
          code: 'invalid',
          errors: { limit: ['limit must be an integer number.'] },
        });
      }
    });

    it('names the field as the client sends it: intervalMinutes, not IntervalMinutes', async () => {
      const { body } = await http()
        .post('/api/v1/vinted/scheduler')
        .set('Authorization', `Bearer ${admin}`)
        .send({ action: 'start', intervalMinutes: 0 })
        .expect(400);
      expect(body.errors).toEqual({ intervalMinutes: ['intervalMinutes must be at least 1.'] });
      expect(body.detail).toBe('Invalid input - intervalMinutes must be at least 1.');
    });

    it('reports every invalid field of a registration in one DRF answer', async () => {
      await http()
        .post('/api/users/register/')
        .send({ username: '', email: 'not-an-email', password: 'short' })
        .expect(400, {
          username: ['This field may not be blank.'],
          email: ['Enter a valid email address.'],
          password: ['This password is too short. It must contain at least 8 characters.'],
        });
      await http()
        .post('/api/users/register/')
        .send({ username: 'msg-customer', email: 'a@example.com', password: 'short' })
        .expect(400, {
          username: ['A user with that username already exists.'],
          password: ['This password is too short. It must contain at least 8 characters.'],
        });
    });
  });

  describe('a body the API cannot read', () => {
    const points = '{"points":1}';

    it("answers JSON sent as a form (curl -d's default) 400 json_sent_as_form, not an unknown field", async () => {
      const { body } = await http()
        .post('/api/exchange-tokens/')
        .set('Authorization', `Bearer ${customer}`)
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(points)
        .expect(400);
      expect(body).toEqual({
        detail: expect.stringContaining('Content-Type: application/json'),
        code: 'json_sent_as_form',
      });
    });

    it('answers a body of another media type, or of none, 415 unsupported_media_type', async () => {
      const { body: text } = await http()
        .post('/api/exchange-tokens/')
        .set('Authorization', `Bearer ${customer}`)
        .set('Content-Type', 'text/plain')
        .send(points)
        .expect(415);
      expect(text).toEqual({
        detail:
          'Unsupported media type "text/plain" in request: send it as application/json or application/x-www-form-urlencoded.',
        code: 'unsupported_media_type',
      });
      expect(await postWithoutContentType('/api/exchange-tokens/', points, customer)).toEqual({
        status: 415,
        body: {
          detail:
            'The request body has no Content-Type: send it as application/json or application/x-www-form-urlencoded.',
          code: 'unsupported_media_type',
        },
      });
      // The simplejwt views read their body too.
      await http().post('/api/token/').set('Content-Type', 'text/plain').send('username=a').expect(415);
    });

    it('checks credentials first, and leaves endpoints without a body alone', async () => {
      await http().post('/api/exchange-tokens/').set('Content-Type', 'text/plain').send(points).expect(401);
      await http()
        .get('/api/points/')
        .set('Authorization', `Bearer ${customer}`)
        .set('Content-Type', 'text/plain')
        .send(points)
        .expect(200);
      // An empty body of any type is no body.
      const { body } = await http()
        .post('/api/exchange-tokens/')
        .set('Authorization', `Bearer ${customer}`)
        .set('Content-Type', 'text/plain')
        .send('')
        .expect(400);
      expect(body.errors).toEqual({ points: ['points must be a positive integer no greater than 2147483647.'] });
    });
  });

  describe('log lines', () => {
    it('logs an expected 503 (requires_configuration) as a warning, without a stack', async () => {
      const root = app.get<RootLogger>(ROOT_LOGGER);
      const rootWarnings = jest.spyOn(root, 'warn').mockImplementation(() => undefined);
      const rootErrors = jest.spyOn(root, 'error').mockImplementation(() => undefined);
      const nestWarnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const nestErrors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

      const { body } = await http()
        .post('/api/v1/vinted/auth')
        .set('Authorization', `Bearer ${customer}`)
        .send({ cookies: 'access_token_web=a.b.c; refresh_token_web=d.e.f' })
        .expect(503);
      expect(body.code).toBe('requires_configuration');
      await http().get('/api/v1/market-analysis/token').set('Authorization', `Bearer ${customer}`).expect(503);
      await http().post('/api/v1/vinted/auth').set('Authorization', `Bearer ${customer}`).send({}).expect(400);
      await settled();

      expect(rootErrors).not.toHaveBeenCalled();
      expect(nestErrors).not.toHaveBeenCalled();
      const accessLines = rootWarnings.mock.calls.map(([fields]) => fields as { status: number; url: string });
      expect(accessLines.map(({ status, url }) => `${status} ${url}`)).toEqual([
        '503 /api/v1/vinted/auth',
        '503 /api/v1/market-analysis/token',
        '400 /api/v1/vinted/auth',
      ]);
      // The exception filter says why each 503 was answered, in one line with no error object (no stack).
      expect(nestWarnings).toHaveBeenCalledTimes(2);
      for (const call of nestWarnings.mock.calls) {
        expect(JSON.stringify(call)).not.toMatch(/"(err|stack)"/);
      }
    });
  });
});
