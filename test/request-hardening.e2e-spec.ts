import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { ROOT_LOGGER, RootLogger } from '@app/common';
import { stackTargets } from '@app/testing';
import { Controller, Get, Logger, Module } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Public } from '../apps/api/src/auth/guard';
import { OpenApiDocument } from './support/openapi-arbitraries';
import { createUser, login, startAuthApp } from './support/auth-app';

/** A route with a bug: the positive control of the log assertions (its 500 must be seen as an error). */
@Public()
@Controller('api/hardening-probe')
class BugProbeController {
  @Get('bug')
  bug(): never {
    throw new Error('a bug');
  }
}

@Module({ controllers: [BugProbeController] })
class BugProbeModule {}

const GRANT = JSON.stringify({ username: 'alice', points: 5 });
const ENCODERS: Record<string, (body: Buffer) => Buffer> = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
};
const settled = () => new Promise((resolve) => setTimeout(resolve, 30));

/**
 * Issue 13 §1: no 500 from a client's bytes. Each case here answered 500 before (a body-parser
 * error the filter did not know, a stack overflow in the validation pipe, PostgreSQL refusing an
 * id or a NUL); each now answers a 4xx `{detail, code}`, logged as a warning.
 */
describe.each(stackTargets())("No 500 from a client's bytes, on the %s stack", (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let admin: string;
  let numberId: number;
  const http = () => request(app.getHttpServer());

  /** POST with the body sent byte for byte (superagent would JSON-encode a Buffer for a JSON type). */
  const post = (path: string, contentType: string, body: string | Buffer, contentEncoding?: string) => {
    let call = http().post(path).set('Authorization', `Bearer ${admin}`).set('Content-Type', contentType);
    if (contentEncoding !== undefined) {
      call = call.set('Content-Encoding', contentEncoding);
    }
    return call.serialize((raw: unknown) => raw as string).send(body as string);
  };
  const grant = (contentType: string, body: string | Buffer, contentEncoding?: string) =>
    post('/api/admin/points/grant/', contentType, body, contentEncoding);
  const balanceOf = async (username: string) => {
    const rows = await app
      .get(DataSource)
      .query<{ balance: string }[]>(
        'SELECT a.balance FROM point_accounts a JOIN users u ON u.id = a.user_id WHERE u.username = $1',
        [username],
      );
    return Number(rows[0]?.balance ?? 0);
  };

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, { LOG_LEVEL: 'warn' }, [BugProbeModule]));
    await createUser(app, 'root', 'correct-horse', 'admin');
    await createUser(app, 'alice');
    admin = (await login(app, 'root')).access;
    const registered = await post('/api/whatsapp/numbers/', 'application/json', '{"phoneNumber":"+221770000001"}');
    expect(registered.status).toBe(201);
    numberId = registered.body.id;
  });
  afterAll(async () => close?.());
  afterEach(() => jest.restoreAllMocks());

  describe('Content-Encoding', () => {
    it.each(Object.keys(ENCODERS))('decodes a %s body', async (coding) => {
      const before = await balanceOf('alice');
      const encoded = ENCODERS[coding](Buffer.from(GRANT));
      await grant('application/json', encoded, coding).expect(201);
      await grant('application/json', encoded, coding.toUpperCase()).expect(201);
      expect(await balanceOf('alice')).toBe(before + 10);
    });

    it.each(['gzip', 'deflate', 'br'])(
      'answers a body that is not %s data 400 bad_content_encoding, for JSON and form bodies',
      async (coding) => {
        const before = await balanceOf('alice');
        for (const [type, body] of [
          ['application/json', GRANT],
          ['application/x-www-form-urlencoded', 'username=alice&points=5'],
        ]) {
          const { status, body: answer } = await grant(type, body, coding);
          expect({ status, answer }).toEqual({
            status: 400,
            answer: { detail: `The body is not valid ${coding} data.`, code: 'bad_content_encoding' },
          });
        }
        // A truncated stream is no better.
        const encoded = ENCODERS[coding](Buffer.from(GRANT));
        await grant('application/json', encoded.subarray(0, encoded.length - 4), coding).expect(400);
        expect(await balanceOf('alice')).toBe(before);
      },
    );

    it.each(['compress', 'zstd', 'x-gzip', 'gzip, br', 'identity, gzip', 'garbage', 'exi'])(
      'answers Content-Encoding "%s" 415 unsupported_content_encoding with the accepted codings',
      async (coding) => {
        for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain']) {
          const response = await grant(type, GRANT, coding).expect(415);
          expect(response.body).toEqual({
            detail: `Unsupported Content-Encoding ${JSON.stringify(coding)}: the API reads identity, gzip, deflate, br.`,
            code: 'unsupported_content_encoding',
          });
          expect(response.headers['accept-encoding']).toBe('gzip, deflate, br');
        }
      },
    );
  });

  describe('charset', () => {
    it.each(['utf-16', 'utf-16le', 'utf-32', 'latin1', 'iso-8859-1', 'us-ascii', 'utf8', 'no-such-charset', '"utf-7"'])(
      'answers charset=%s 415 unsupported_charset for JSON and form bodies',
      async (charset) => {
        const before = await balanceOf('alice');
        for (const [type, body] of [
          ['application/json', GRANT],
          ['application/x-www-form-urlencoded', 'phoneNumber=%2B221770000099'],
        ]) {
          const { status, body: answer } = await grant(`${type}; charset=${charset}`, body);
          expect({ status, code: answer.code }).toEqual({ status: 415, code: 'unsupported_charset' });
          expect(answer.detail).toMatch(/^Unsupported charset ".+": send the body as utf-8\.$/);
        }
        expect(await balanceOf('alice')).toBe(before);
      },
    );

    it('accepts utf-8 in any case, quoted or not, and no charset at all', async () => {
      for (const charset of ['utf-8', 'UTF-8', 'Utf-8', '"utf-8"']) {
        await grant(`application/json; charset=${charset}`, GRANT).expect(201);
      }
      await post(
        '/api/whatsapp/numbers/',
        'application/x-www-form-urlencoded; charset=UTF-8',
        'phoneNumber=%2B221770000002',
      ).expect(201);
    });
  });

  describe('nesting depth', () => {
    it('refuses an array nested 45,000 levels deep (90 KB) with 400 nesting_too_deep', async () => {
      const deep = '['.repeat(45_000) + ']'.repeat(45_000);
      await grant('application/json', deep).expect(400, {
        detail: 'The body nests arrays and objects more than 32 levels deep.',
        code: 'nesting_too_deep',
      });
      const deepObject = `{"username":${'{"a":'.repeat(15_000)}1${'}'.repeat(15_001)}`;
      await grant('application/json', deepObject).expect(400);
    });

    it('lets 32 levels through to validation, and does not count brackets inside strings', async () => {
      const { body: at32 } = await grant('application/json', `${'['.repeat(32)}${']'.repeat(32)}`).expect(400);
      expect(at32.code).toBe('invalid');
      await grant('application/json', `${'['.repeat(33)}${']'.repeat(33)}`).expect(400);
      const reason = `${'['.repeat(400)}"\\"{{{`;
      await grant('application/json', JSON.stringify({ username: 'alice', points: 1, reason })).expect(201);
    });
  });

  describe('path ids', () => {
    const notIds = ['2147483648', '99999999999999999999', '-1', '0', '1e3', '0x10', '07', ' 1', '1.0', 'abc'];

    it('answers an id that is no PostgreSQL integer 404 on every route that takes one', async () => {
      const { body: document } = (await http().get('/api/docs-json').expect(200)) as { body: OpenApiDocument };
      const routes = Object.entries(document.paths)
        .filter(([path]) => path.includes('{'))
        .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ path, method })));
      expect(routes.length).toBeGreaterThanOrEqual(5);
      for (const { path, method } of routes) {
        for (const id of notIds) {
          const url = path.replace(/\{\w+\}/g, encodeURIComponent(id));
          const response = await http()[method as 'get' | 'post'](url).set('Authorization', `Bearer ${admin}`);
          expect({ url, method, status: response.status, body: response.body }).toEqual({
            url,
            method,
            status: 404,
            body: { detail: 'Not found.', code: 'not_found' },
          });
        }
      }
      // The largest integer is an id like any other: absent here, so 404, and not a 500.
      await http().get('/api/whatsapp/numbers/2147483647/').set('Authorization', `Bearer ${admin}`).expect(404);
    });

    it('still serves an id that exists', async () => {
      const { body } = await http()
        .get(`/api/whatsapp/numbers/${numberId}/`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(body.id).toBe(numberId);
    });
  });

  describe('NUL and other control characters', () => {
    it.each([
      ['username', { username: 'ali\u0000ce', points: 5 }, 'in "username"'],
      ['reason', { username: 'alice', points: 5, reason: 'bonus\u0000' }, 'in "reason"'],
    ])('refuses U+0000 in the grant body (%s) with 400 null_character, granting nothing', async (_f, body, where) => {
      const before = await balanceOf('alice');
      await grant('application/json', JSON.stringify(body)).expect(400, {
        detail: `Null characters are not allowed (${where}).`,
        code: 'null_character',
      });
      await grant('application/x-www-form-urlencoded', 'username=alice&reason=%00').expect(400);
      expect(await balanceOf('alice')).toBe(before);
    });

    it('refuses U+0000 in a query or path parameter with 400 null_character', async () => {
      for (const url of [
        '/api/points/ledger/?cursor=%00',
        '/api/points/ledger/?limit=1%00',
        '/api/whatsapp/numbers/1%00/',
      ]) {
        await http()
          .get(url)
          .set('Authorization', `Bearer ${admin}`)
          .expect(400, { detail: 'Null characters are not allowed (in the URL).', code: 'null_character' });
      }
    });

    it('keeps the DRF body of the simplejwt views', async () => {
      await http()
        .post('/api/token/')
        .send({ username: 'a\u0000b', password: 'x' })
        .expect(400, { username: ['Null characters are not allowed.'] });
    });

    it('stores other control characters as sent', async () => {
      const reason = 'tab\t nl\n \u0001\u001b[31m \u007f \u0085 \u2028 \ufeff end';
      await grant('application/json', JSON.stringify({ username: 'alice', points: 1, reason })).expect(201);
      const rows = await app
        .get(DataSource)
        .query<{ reason: string }[]>('SELECT reason FROM ledger_entries WHERE reason = $1', [reason]);
      expect(rows).toHaveLength(1);
    });

    it('refuses points out of range (int4 edges, huge, -0, fractions) with 400 invalid', async () => {
      for (const points of ['2147483648', '1e308', '-0', '99999999999999999999', '1e-7', '4294967297', '-2147483649']) {
        const { status, body } = await grant('application/json', `{"username":"alice","points":${points}}`);
        expect({ points, status, code: body.code }).toEqual({ points, status: 400, code: 'invalid' });
      }
    });
  });

  it('logs these refusals as warnings, never as errors', async () => {
    const root = app.get<RootLogger>(ROOT_LOGGER);
    const warnings = jest.spyOn(root, 'warn').mockImplementation(() => undefined);
    const accessErrors = jest.spyOn(root, 'error').mockImplementation(() => undefined);
    const filterErrors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

    await http().get('/api/hardening-probe/bug').expect(500);
    await settled();
    // The control: a bug is an error line of the filter and of the access log.
    expect(filterErrors).toHaveBeenCalledTimes(1);
    expect(accessErrors).toHaveBeenCalledTimes(1);
    filterErrors.mockClear();
    accessErrors.mockClear();

    const answers = [
      await grant('application/json', GRANT, 'gzip'),
      await grant('application/json', GRANT, 'zstd'),
      await grant('application/json; charset=utf-16', GRANT),
      await grant('application/json', '['.repeat(45_000) + ']'.repeat(45_000)),
      await http().get('/api/whatsapp/numbers/2147483648/').set('Authorization', `Bearer ${admin}`),
      await grant('application/json', JSON.stringify({ username: 'a\u0000', points: 1 })),
      await http().get('/api/points/ledger/?cursor=%00').set('Authorization', `Bearer ${admin}`),
    ];
    await settled();
    expect(answers.map((answer) => answer.status)).toEqual([400, 415, 415, 400, 404, 400, 400]);
    expect(filterErrors).not.toHaveBeenCalled();
    expect(accessErrors).not.toHaveBeenCalled();
    const statuses = warnings.mock.calls.map(([fields]) => (fields as { status: number }).status);
    expect(statuses).toEqual([400, 415, 415, 400, 404, 400, 400]);
  });
});
