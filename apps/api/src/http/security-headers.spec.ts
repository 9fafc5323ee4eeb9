import { loadConfig } from '@app/config';
import express from 'express';
import request from 'supertest';
import { securityHeaders } from './security-headers';

const SIGNING_KEY = 'unit-test-signing-key-0123456789-0123456789';

describe(securityHeaders.name, () => {
  const appFor = (env: Record<string, string>) => {
    const server = express();
    server.use(securityHeaders(loadConfig({ JWT_SIGNING_KEY: SIGNING_KEY, ...env }).config));
    server.get('/x', (_request, response) => {
      response.json({});
    });
    return server;
  };

  it('sends HSTS when NODE_ENV=production, and only then', async () => {
    const production = await request(appFor({ NODE_ENV: 'production' }))
      .get('/x')
      .expect(200);
    expect(production.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    for (const mode of ['development', 'test']) {
      const other = await request(appFor({ NODE_ENV: mode }))
        .get('/x')
        .expect(200);
      expect(other.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it("removes Express's X-Powered-By", async () => {
    const response = await request(appFor({})).get('/x').expect(200);
    expect(response.headers['x-powered-by']).toBeUndefined();
  });
});
