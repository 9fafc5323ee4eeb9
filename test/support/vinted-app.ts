import { FakeVintedServer } from '@app/testing';
import { Logger } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createUser, login } from './auth-app';

export const VINTED_SECRET = 'vinted-test-secret-0123456789-0123456789-abc';

/** Env for an API talking to `fake`, with the scheduler left off unless a spec turns it on. */
export function vintedEnv(fake: FakeVintedServer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    VINTED_CREDENTIALS_SECRET: VINTED_SECRET,
    VINTED_BASE_URL: fake.baseUrl,
    VINTED_AUTO_REFRESH_ENABLED: 'false',
    ...extra,
  };
}

/** A new account logged in, with an `auth` header value for supertest. */
export async function vintedUser(
  app: NestExpressApplication,
  username: string,
  role: 'customer' | 'admin' = 'customer',
) {
  await createUser(app, username, 'correct-horse', role);
  const { access } = await login(app, username);
  return { username, bearer: `Bearer ${access}` };
}

export async function storeCookies(app: NestExpressApplication, bearer: string, cookies: string) {
  return request(app.getHttpServer()).post('/api/v1/vinted/auth').set('Authorization', bearer).send({ cookies });
}

export function cookieValue(cookies: string, name: string): string {
  const match = new RegExp(`(?:^|; )${name}=([^;]+)`).exec(cookies);
  if (!match) {
    throw new Error(`no ${name} in the cookie string`);
  }
  return match[1];
}

/** Every row of the Vinted and settings tables, as text: what a database dump would show. */
export async function databaseText(app: NestExpressApplication): Promise<string> {
  const dataSource = app.get(DataSource);
  const sessions = await dataSource.query<unknown[]>('SELECT * FROM vinted_sessions');
  const settings = await dataSource.query<unknown[]>('SELECT * FROM app_settings');
  return JSON.stringify([sessions, settings]);
}

/** Captures what services log through Nest's Logger (the API's pino output is silenced in tests). */
export function captureLogs(): { text: () => string; restore: () => void } {
  const lines: string[] = [];
  const spies = (['log', 'warn', 'error', 'debug', 'verbose'] as const).map((level) =>
    jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
      lines.push(
        args
          .map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg, Object.getOwnPropertyNames(arg ?? {}))))
          .join(' '),
      );
    }),
  );
  return { text: () => lines.join('\n'), restore: () => spies.forEach((spy) => spy.mockRestore()) };
}
