import { Writable } from 'node:stream';
import express, { NextFunction, Request, Response } from 'express';
import pino from 'pino';
import request from 'supertest';
import { accessLog, requestId } from './access-log';
import { onRequestEnd } from './request-end';

interface Line {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A real Express app behind the access log, and the JSON lines a real pino logger wrote for it. */
function loggedApp(level: string) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  const app = express();
  app.use(onRequestEnd(accessLog(pino({ level }, sink))));
  app.get('/ok', (_req, res) => res.json({ ok: true }));
  app.get('/api/health', (_req, res) => res.json({ status: 'ok' }));
  app.get('/api/health/ready', (_req, res) => res.status(503).json({}));
  app.get('/unconfigured', (_req, res) => res.status(503).json({ code: 'requires_configuration' }));
  app.get('/bug', (req: Request, _res: Response, next: NextFunction) => {
    // As the exception filter does: its line names the request by the same number.
    lines.push({ level: 50, msg: 'filter', reqId: requestId(req) });
    next(new Error('boom'));
  });
  app.use((_error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ detail: 'A server error occurred.' });
  });
  // The line is written when the response closes, just after the client has its answer.
  const settled = () => new Promise((resolve) => setTimeout(resolve, 20));
  return { http: () => request(app), lines, settled };
}

describe(accessLog.name, () => {
  it('writes nothing for a successful request at the default info level', async () => {
    const { http, lines, settled } = loggedApp('info');
    await http().get('/ok').expect(200);
    await settled();
    expect(lines).toEqual([]);
  });

  it('writes a compact warn line for a 4xx and an error line for a 5xx, with the reqId of the other lines', async () => {
    const { http, lines, settled } = loggedApp('info');
    await http().get('/nothing?x=1').expect(404);
    await http().get('/bug').expect(500);
    await settled();
    expect(lines).toEqual([
      {
        level: 40,
        time: expect.any(Number),
        pid: process.pid,
        hostname: expect.any(String),
        reqId: expect.any(Number),
        method: 'GET',
        url: '/nothing?x=1',
        status: 404,
        ms: expect.any(Number),
        ip: expect.any(String),
        msg: 'request completed',
      },
      { level: 50, msg: 'filter', reqId: expect.any(Number) },
      expect.objectContaining({ level: 50, url: '/bug', status: 500, reqId: lines[1]?.reqId }),
    ]);
    expect(lines[0].reqId).not.toBe(lines[1].reqId);
  });

  it('writes an expected 503 as a warning, not as an error', async () => {
    const { http, lines, settled } = loggedApp('info');
    await http().get('/unconfigured').expect(503);
    await settled();
    expect(lines.map(({ level, url, status }) => ({ level, url, status }))).toEqual([
      { level: 40, url: '/unconfigured', status: 503 },
    ]);
  });

  it('writes a debug line for a successful request at debug, never for probes', async () => {
    const { http, lines, settled } = loggedApp('debug');
    await http().post('/ok').expect(404);
    await http().get('/ok').expect(200);
    await http().get('/api/health').expect(200);
    await http().get('/api/health/ready').expect(503);
    await settled();
    expect(lines.map(({ level, method, url, status }) => ({ level, method, url, status }))).toEqual([
      { level: 40, method: 'POST', url: '/ok', status: 404 },
      { level: 20, method: 'GET', url: '/ok', status: 200 },
    ]);
  });
});
