import { UsersService } from '@app/auth';
import { loadConfig } from '@app/config';
import { TestDatabase, createTestDatabase } from '@app/testing';
import { Type } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { createApiApp } from '../apps/api/src/create-api-app';

export interface BenchApi {
  app: NestExpressApplication;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** What the API runs on, for the report. */
  description: string;
  /** The HS256 secret the API signs with (for in-process baselines). */
  jwtSigningKey: string;
  /** Whether the API runs on a PostgreSQL server / RabbitMQ (some baselines need them). */
  databaseUrl?: string;
  amqpUrl?: string;
  close(): Promise<void>;
}

/** Auth settings a run may override from the environment (lifetimes, algorithm, rate limit); anything else stays fixed. */
const PASSED_THROUGH = /^(JWT_|AUTH_THROTTLE_)/;

/**
 * The real API in this process, as `npm start` builds it, listening on 127.0.0.1 only. Embedded
 * (PGlite + in-process bus) by default; `BENCH_DATABASE_URL` runs it on a fresh database of that
 * PostgreSQL server (dropped afterwards), `BENCH_AMQP_URL` on that RabbitMQ.
 */
export async function startBenchApi(extraModules: Type[]): Promise<BenchApi> {
  const serverUrl = process.env.BENCH_DATABASE_URL?.trim() || undefined;
  const amqpUrl = process.env.BENCH_AMQP_URL?.trim() || undefined;
  if (serverUrl !== undefined) {
    process.env.TEST_DATABASE_URL = serverUrl; // the helper below reads the server from there
  }
  const database: TestDatabase = await createTestDatabase(serverUrl === undefined ? 'embedded' : 'postgres');
  const passed = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => PASSED_THROUGH.test(entry[0]) && entry[1] !== undefined,
    ),
  );
  const env: Record<string, string> = {
    JWT_SIGNING_KEY: randomBytes(32).toString('hex'),
    // One client IP makes every request: the credential endpoints' limit (10/min by default) is lifted
    // to its maximum so the refresh chain measures rotations, not 429s (the limiter still runs).
    AUTH_THROTTLE_LIMIT: '1000000',
    ...passed,
    ...database.env,
    ...(amqpUrl === undefined ? {} : { AMQP_URL: amqpUrl }),
    LOG_LEVEL: 'silent',
    PORT: '0',
  };
  let app: NestExpressApplication | undefined;
  try {
    app = await createApiApp(loadConfig(env).config, extraModules);
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app?.close();
    await database.cleanup();
    throw error;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  const running = app;
  return {
    app: running,
    origin: `http://127.0.0.1:${port}`,
    jwtSigningKey: env.JWT_SIGNING_KEY,
    databaseUrl: database.env.DATABASE_URL,
    amqpUrl,
    description: `${serverUrl === undefined ? 'PGlite (embedded)' : 'PostgreSQL server'} + ${amqpUrl === undefined ? 'in-process bus' : 'RabbitMQ'}`,
    close: async () => {
      await running.close();
      await database.cleanup();
    },
  };
}

/** A customer and its token pair, obtained over HTTP like any client. */
export async function benchUser(api: BenchApi, username: string): Promise<{ access: string; refresh: string }> {
  const password = randomBytes(12).toString('hex');
  await api.app.get(UsersService).create({ username, password, role: 'customer', email: `${username}@bench.invalid` });
  const response = await fetch(`${api.origin}/api/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) {
    throw new Error(`POST /api/token/ answered ${response.status}: ${await response.text()}`);
  }
  return (await response.json()) as { access: string; refresh: string };
}
