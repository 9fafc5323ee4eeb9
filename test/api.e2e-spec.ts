import { loadConfig } from '@app/config';
import { TcpProxy, TestStack, createTestStack, stackTargets } from '@app/testing';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { IsInt, IsString, Min } from 'class-validator';
import request from 'supertest';
import { createApiApp } from '../apps/api/src/create-api-app';
import { Public } from '../apps/api/src/auth/guard';
import { ExactHttpError } from '../apps/api/src/http/exact-http-error';

class ProbeDto {
  @IsString() name!: string;
  @IsInt() @Min(1) points!: number;
}

/** A stand-in endpoint with a DTO, to exercise the global validation and error handling. */
@Public()
@Controller('api/probe')
class ProbeController {
  @Post()
  @HttpCode(201)
  create(@Body() body: ProbeDto) {
    return body;
  }

  @Post('exact')
  exact(): never {
    throw new ExactHttpError(
      401,
      { detail: 'Authentication credentials were not provided.' },
      { 'WWW-Authenticate': 'Bearer realm="api"' },
    );
  }

  @Post('bug')
  bug(): never {
    throw new Error('a bug whose message must not reach the client');
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe.each(stackTargets())('the API on the %s stack', (target) => {
  let stack: TestStack;
  let app: NestExpressApplication;

  beforeAll(async () => {
    stack = await createTestStack(target);
    app = await createApiApp(loadConfig(stack.env).config, [ProbeModule]);
  });

  afterAll(async () => {
    await app?.close();
    await stack?.cleanup();
  });

  it('answers liveness and readiness', async () => {
    await request(app.getHttpServer())
      .get('/api/health')
      .expect(200, { status: 'ok', info: {}, error: {}, details: {} });
    const ready = await request(app.getHttpServer()).get('/api/health/ready').expect(200);
    expect(ready.body.info).toEqual({
      database: { status: 'up' },
      bus: { status: 'up' },
      // The WhatsApp workers never fail readiness (test/whatsapp-driver.e2e-spec.ts).
      whatsapp: expect.objectContaining({ status: 'up', driver: target === 'embedded' ? 'simulator' : 'baileys' }),
    });
  });

  it('serves a valid OpenAPI 3 document and the Swagger UI', async () => {
    const { body } = await request(app.getHttpServer()).get('/api/docs-json').expect(200);
    expect(body.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(body))).resolves.toBeDefined();
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/health/ready']));
    await request(app.getHttpServer()).get('/api/docs').expect(200).expect('content-type', /html/);
  });

  it('serves Prometheus metrics', async () => {
    await request(app.getHttpServer()).get('/api/health').expect(200);
    const { text } = await request(app.getHttpServer())
      .get('/metrics')
      .expect(200)
      .expect('content-type', /text\/plain/);
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/api/health",status="200"}');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('accepts a valid body', async () => {
    await request(app.getHttpServer())
      .post('/api/probe/')
      .send({ name: 'a', points: 3 })
      .expect(201, { name: 'a', points: 3 });
  });

  it('rejects unknown JSON fields with 400 {detail, code}', async () => {
    const { body } = await request(app.getHttpServer())
      .post('/api/probe/')
      .send({ name: 'a', points: 3, admin: true })
      .expect(400);
    expect(body).toEqual({
      detail: 'Invalid input - admin: Unknown field "admin".',
      code: 'invalid',
      errors: { admin: ['Unknown field "admin".'] },
    });
  });

  it('names every invalid field', async () => {
    const { body } = await request(app.getHttpServer()).post('/api/probe/').send({ points: 0 }).expect(400);
    expect(body.code).toBe('invalid');
    expect(Object.keys(body.errors).sort()).toEqual(['name', 'points']);
  });

  it.each([
    ['truncated JSON', '{"name": "a",'],
    ['not JSON at all', 'name=a'],
    ['a bare string', '"hello'],
  ])('answers malformed JSON (%s) with 400, never 500', async (_case, raw) => {
    const { body } = await request(app.getHttpServer())
      .post('/api/probe/')
      .set('content-type', 'application/json')
      .send(raw)
      .expect(400);
    expect(body.code).toBe('parse_error');
    expect(body.detail).toMatch(/^JSON parse error - /);
  });

  it('answers an oversized body with 413', async () => {
    const { body } = await request(app.getHttpServer())
      .post('/api/probe/')
      .send({ name: 'x'.repeat(200_000), points: 1 })
      .expect(413);
    expect(body.code).toBe('payload_too_large');
  });

  it('answers a wrong method with 405 and the simplejwt body', async () => {
    const response = await request(app.getHttpServer()).delete('/api/health/').expect(405);
    expect(response.body).toEqual({ detail: 'Method "DELETE" not allowed.' });
    expect(response.headers.allow).toBe('GET');
  });

  it('sends a contract-fixed error body and its headers verbatim', async () => {
    const response = await request(app.getHttpServer()).post('/api/probe/exact/').expect(401);
    expect(response.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('answers a bug 500 {detail, code, errorId} without its message', async () => {
    const response = await request(app.getHttpServer()).post('/api/probe/bug').expect(500);
    expect(response.body).toEqual({
      detail: 'A server error occurred.',
      code: 'internal_error',
      errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(response.text).not.toContain('must not reach');
  });

  it('sends the security headers, and neither X-Powered-By nor an ETag', async () => {
    for (const call of [request(app.getHttpServer()).get('/api/health'), request(app.getHttpServer()).get('/api/x/')]) {
      const { headers } = await call;
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['x-powered-by']).toBeUndefined();
      expect(headers.etag).toBeUndefined();
    }
  });

  it('answers an unknown path with 404 {detail, code}', async () => {
    await request(app.getHttpServer())
      .get('/api/nothing-here/')
      .expect(404, { detail: 'Not found.', code: 'not_found' });
  });

  it('serves a path with or without its trailing slash', async () => {
    await request(app.getHttpServer()).get('/api/health/ready/').expect(200);
    await request(app.getHttpServer()).get('/api/health/ready').expect(200);
  });
});

const withServers = stackTargets().includes('servers');

(withServers ? describe : describe.skip)('readiness when a server goes away', () => {
  let stack: TestStack;
  let app: NestExpressApplication;
  let postgres: TcpProxy;
  let rabbitmq: TcpProxy;

  beforeAll(async () => {
    stack = await createTestStack('servers');
    const database = new URL(stack.env.DATABASE_URL);
    const broker = new URL(stack.env.AMQP_URL);
    postgres = await TcpProxy.start(database.hostname, Number(database.port || 5432));
    rabbitmq = await TcpProxy.start(broker.hostname, Number(broker.port || 5672));
    const env = {
      ...stack.env,
      DATABASE_URL: postgres.wrap(stack.env.DATABASE_URL),
      AMQP_URL: rabbitmq.wrap(stack.env.AMQP_URL),
    };
    app = await createApiApp(loadConfig(env).config);
  });

  afterAll(async () => {
    await app?.close();
    await postgres?.cut();
    await rabbitmq?.cut();
    await stack?.cleanup();
  });

  it('reports 503 while PostgreSQL is unreachable and recovers after', async () => {
    await request(app.getHttpServer()).get('/api/health/ready').expect(200);
    await postgres.cut();
    const down = await request(app.getHttpServer()).get('/api/health/ready').expect(503);
    expect(down.body).toMatchObject({ code: 'service_unavailable', detail: 'The service is unavailable.' });
    expect(down.body.error.database.status).toBe('down');
    await request(app.getHttpServer()).get('/api/health').expect(200);
    await postgres.restore();
    await expect(
      eventually(
        () => request(app.getHttpServer()).get('/api/health/ready'),
        (r) => r.status === 200,
      ),
    ).resolves.toBe(true);
  });

  it('answers a request that needs the database 503 database_unavailable while it is unreachable, quickly, and serves again after', async () => {
    const login = () =>
      request(app.getHttpServer()).post('/api/token/').send({ username: 'nobody', password: 'irrelevant-password' });
    await login().expect(401);
    await postgres.cut();
    const started = Date.now();
    const down = await login().expect(503);
    expect(down.body).toEqual({
      detail: 'The database is unavailable. Try again in a few seconds.',
      code: 'database_unavailable',
    });
    expect(down.headers['retry-after']).toBe('5');
    expect(Date.now() - started).toBeLessThan(15_000);
    await postgres.restore();
    await expect(
      eventually(
        () => login(),
        (r) => r.status === 401,
      ),
    ).resolves.toBe(true);
  });

  it('reports 503 while RabbitMQ is unreachable and recovers after', async () => {
    await rabbitmq.cut();
    await expect(
      eventually(
        () => request(app.getHttpServer()).get('/api/health/ready'),
        (r) => r.status === 503,
      ),
    ).resolves.toBe(true);
    await rabbitmq.restore();
    await expect(
      eventually(
        () => request(app.getHttpServer()).get('/api/health/ready'),
        (r) => r.status === 200,
      ),
    ).resolves.toBe(true);
  });
});

async function eventually<T>(
  probe: () => PromiseLike<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done(await probe())) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}
