import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '@app/config';
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import request from 'supertest';
import { createUser, login } from './auth-app';

/** Short WhatsApp timings so a whole QR lifecycle (4 QRs, then failure) takes about a second. */
export const WHATSAPP_TEST_ENV = {
  WHATSAPP_DRIVER: 'simulator',
  WHATSAPP_QR_TIMEOUT: '300ms',
  WHATSAPP_MAX_QR_RETRIES: '3',
  WHATSAPP_HEARTBEAT_INTERVAL: '200ms',
} as const;

export const SEED_FAILURE = 'QR code generation failed after 3 attempts. Please request a new validation.';

/** A worker as `nest start worker` builds it (apps/worker/src/main.ts), in this process. */
export function startWorker(env: Record<string, string>): Promise<INestApplication> {
  return createWorkerApp(loadConfig(env).config);
}

/** Polls `read` until `accept` holds; throws with the last value after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)?.slice(0, 500)}`);
    }
    await sleep(25);
  }
}

/** The state of a number as `GET /api/whatsapp/numbers/:id/` shows it. */
export interface NumberState {
  id: number;
  phoneNumber: string;
  status: string;
  qrCode: string | null;
  attempt: number;
  maxAttempts: number;
  workerId: string | null;
  lastError: string | null;
}

/** A logged-in user of the API, with request helpers and its access token (for raw fetches). */
export async function whatsappActor(app: NestExpressApplication, username: string, role: 'customer' | 'admin') {
  await createUser(app, username, 'correct-horse', role);
  const { access } = await login(app, username);
  const http = () => request(app.getHttpServer());
  return {
    access,
    get: (path: string) => http().get(path).set('Authorization', `Bearer ${access}`),
    post: (path: string, body?: object) => http().post(path).set('Authorization', `Bearer ${access}`).send(body),
  };
}

export type WhatsappActor = Awaited<ReturnType<typeof whatsappActor>>;

/** The app listening on a free port, for clients that need a real socket (SSE). */
export async function baseUrl(app: NestExpressApplication): Promise<string> {
  const server: Server = app.getHttpServer();
  if (!server.listening) {
    await app.listen(0, '127.0.0.1');
  }
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
