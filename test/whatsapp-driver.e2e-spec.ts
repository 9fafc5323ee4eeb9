import { AppProcess, TestStack, createTestStack, stackTargets } from '@app/testing';
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startAuthApp } from './support/auth-app';
import { eventually, startWorker } from './support/whatsapp-app';

const withServers = stackTargets().includes('servers');
/** Fast heartbeats: a worker counts as gone after 3 silent intervals (0.6 s). */
const HEARTBEATS = { WHATSAPP_HEARTBEAT_INTERVAL: '200ms' };
const MISMATCH =
  'Worker worker-sim runs the simulator WhatsApp driver but this API runs baileys: set the same WHATSAPP_DRIVER on the API and every worker (unset, it is simulator with the in-process bus and baileys with RabbitMQ).';

interface Readiness {
  status: string;
  details: {
    whatsapp: {
      status: string;
      driver?: string;
      workers?: { workerId: string; driver: string; sessions: number; lastSeenAt: string }[];
      degraded?: boolean;
      message?: string;
    };
  };
}

async function readiness(app: NestExpressApplication): Promise<Readiness> {
  const { status, body } = await request(app.getHttpServer()).get('/api/health/ready');
  expect(status).toBe(200);
  return body as Readiness;
}

describe('which WhatsApp driver: readiness shows the workers and their driver', () => {
  it('embedded: the worker in the API process runs the API’s driver, simulator, and all is well', async () => {
    const { app, close } = await startAuthApp('embedded', { ...HEARTBEATS, LOG_LEVEL: 'silent' });
    try {
      const ready = await eventually(
        () => readiness(app),
        (body) => (body.details.whatsapp.workers ?? []).length === 1,
      );
      expect(ready.status).toBe('ok');
      expect(ready.details.whatsapp).toEqual({
        status: 'up',
        driver: 'simulator',
        workers: [{ workerId: 'worker-1', driver: 'simulator', sessions: 0, lastSeenAt: expect.any(String) }],
      });
    } finally {
      await close();
    }
  });

  (withServers ? it : it.skip)(
    'servers: an API on the default driver (baileys with RabbitMQ) and a simulator worker are a visible mismatch, readiness still 200',
    async () => {
      const { app, close, stack } = await startAuthApp('servers', { ...HEARTBEATS, LOG_LEVEL: 'silent' });
      let worker: INestApplication | undefined;
      try {
        // No worker yet: said, not failed.
        expect((await readiness(app)).details.whatsapp).toEqual({
          status: 'up',
          driver: 'baileys',
          workers: [],
          degraded: true,
          message: 'No WhatsApp worker has sent a heartbeat in the last 1 s: validations wait until one runs.',
        });

        worker = await startWorker({
          ...stack.env,
          ...HEARTBEATS,
          WHATSAPP_DRIVER: 'simulator',
          WORKER_ID: 'worker-sim',
        });
        const mismatched = await eventually(
          () => readiness(app),
          (body) => (body.details.whatsapp.workers ?? []).length === 1,
        );
        expect(mismatched.status).toBe('ok');
        expect(mismatched.details.whatsapp).toEqual({
          status: 'up',
          driver: 'baileys',
          workers: [{ workerId: 'worker-sim', driver: 'simulator', sessions: 0, lastSeenAt: expect.any(String) }],
          degraded: true,
          message: MISMATCH,
        });

        // The worker restarts on the API's driver: the mismatch goes once its old heartbeat is replaced.
        await worker.close();
        worker = await startWorker({
          ...stack.env,
          ...HEARTBEATS,
          WHATSAPP_DRIVER: 'baileys',
          WORKER_ID: 'worker-sim',
        });
        const agreed = await eventually(
          () => readiness(app),
          (body) => body.details.whatsapp.workers?.[0]?.driver === 'baileys',
        );
        expect(agreed.details.whatsapp).toEqual({
          status: 'up',
          driver: 'baileys',
          workers: [{ workerId: 'worker-sim', driver: 'baileys', sessions: 0, lastSeenAt: expect.any(String) }],
        });
      } finally {
        await worker?.close();
        await close();
      }
    },
  );
});

// These run the compiled entry points (`npx nest build api worker cli` first), as a user would.
describe('which WhatsApp driver: the processes say it at start', () => {
  it('npm start (embedded) says simulator, the default with the in-process bus', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hg-driver-'));
    const api = AppProcess.start('api', { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' });
    try {
      await api.waitFor(/listening on http:\/\/localhost:\d+/);
      const lines = (api.stdout + api.stderr).split('\n').filter((line) => line.includes('WhatsApp driver'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({
        level: 30,
        context: 'WhatsApp',
        msg: 'WhatsApp driver: simulator (the default with the in-process bus; WHATSAPP_DRIVER=baileys for real phones)',
      });
    } finally {
      await api.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  (withServers ? describe : describe.skip)('with PostgreSQL and RabbitMQ', () => {
    let stack: TestStack;
    beforeAll(async () => (stack = await createTestStack('servers')));
    afterAll(async () => stack?.cleanup());

    it('the API (2 processes) says baileys is its default, the worker says its own, and the API warns of the mismatch', async () => {
      const env = { ...stack.env, ...HEARTBEATS, LOG_LEVEL: 'info' };
      const api = AppProcess.start('api', { ...env, API_WORKERS: '2' });
      let worker: AppProcess | undefined;
      try {
        const [, port] = await api.waitFor(/listening on http:\/\/localhost:(\d+)/);
        await api.waitFor(
          /"msg":"WhatsApp driver: baileys \(the default with RabbitMQ; WHATSAPP_DRIVER=simulator to simulate phones\)"/,
        );
        worker = AppProcess.start('worker', { ...env, WHATSAPP_DRIVER: 'simulator', WORKER_ID: 'worker-sim' });
        await worker.waitFor(/"msg":"WhatsApp driver: simulator \(WHATSAPP_DRIVER=simulator\)"/);
        await api.waitFor(
          /"level":40,[^\n]*"msg":"Worker worker-sim runs the simulator WhatsApp driver but this API runs baileys/,
        );

        const ready = await eventually(
          async () => (await fetch(`http://127.0.0.1:${port}/api/health/ready`)).json() as Promise<Readiness>,
          (body) => body.details.whatsapp.workers?.length === 1,
        );
        expect(ready).toMatchObject({ status: 'ok', details: { whatsapp: { degraded: true, message: MISMATCH } } });
        // One line per process at start, not one per heartbeat.
        expect(api.stdout.match(/WhatsApp driver:/g)).toHaveLength(1);
        expect(worker.stdout.match(/WhatsApp driver:/g)).toHaveLength(1);
      } finally {
        await worker?.stop();
        await api.stop();
      }
    });
  });
});
