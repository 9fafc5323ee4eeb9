import { loadConfig } from '@app/config';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createUser, login, startAuthApp } from './support/auth-app';

const FRONT_END = 'http://localhost:5173';

describe('CORS for the front ends of CORS_ORIGINS', () => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ app, close } = await startAuthApp('embedded', {
      CORS_ORIGINS: `${FRONT_END}, https://app.example.com`,
      JWT_REFRESH_MIDDLEWARE: 'true',
    }));
    await createUser(app, 'alice');
  });
  afterAll(async () => close?.());

  it("answers an allowed origin's preflight with the headers the client and the middleware use", async () => {
    const response = await request(app.getHttpServer())
      .options('/api/token/revoke-all/')
      .set('Origin', FRONT_END)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type,x-refresh-token')
      .expect(204);
    expect(response.headers['access-control-allow-origin']).toBe(FRONT_END);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(response.headers['access-control-allow-headers'].toLowerCase()).toContain('x-refresh-token');
  });

  it('exposes the rotated pair headers to an allowed origin, and nothing to another', async () => {
    const { access } = await login(app, 'alice');
    const allowed = await request(app.getHttpServer())
      .post('/api/token/verify/')
      .set('Origin', FRONT_END)
      .send({ token: access })
      .expect(200);
    expect(allowed.headers['access-control-expose-headers']).toBe('X-Access-Token,X-Refresh-Token,Retry-After');
    const other = await request(app.getHttpServer())
      .post('/api/token/verify/')
      .set('Origin', 'https://evil.example')
      .send({ token: access })
      .expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a malformed CORS_ORIGINS at start, naming it', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'localhost:5173' })).toThrow(
      /CORS_ORIGINS="localhost:5173" is not a comma-separated list of http\(s\) origins/,
    );
  });
});
