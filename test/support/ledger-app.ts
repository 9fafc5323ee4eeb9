import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createUser, login } from './auth-app';

/** A cron expression that never fires during a test (1 January, midnight): sweeps happen only when a spec asks. */
export const NO_CRON = '0 0 0 1 1 *';

/** Creates the account `username`, logs it in and returns a request helper with its token. */
export async function actor(app: NestExpressApplication, username: string, role: 'customer' | 'vendor' | 'admin') {
  await createUser(app, username, 'correct-horse', role);
  return signedIn(app, username);
}

/** A request helper for an existing account (password `correct-horse`). */
export async function signedIn(app: NestExpressApplication, username: string) {
  const { access } = await login(app, username);
  const auth = { Authorization: `Bearer ${access}` };
  const http = () => request(app.getHttpServer());
  return {
    username,
    get: (path: string) => http().get(path).set(auth),
    post: (path: string, body?: object) => http().post(path).set(auth).send(body),
  };
}

export type Actor = Awaited<ReturnType<typeof signedIn>>;

export function sql(app: NestExpressApplication): DataSource {
  return app.get(DataSource);
}

/** Moves every live token's expiry (or just `tokens`) into the past instead of waiting. */
export async function expireTokens(app: NestExpressApplication, tokens?: string[]): Promise<void> {
  await sql(app).query(
    `UPDATE exchange_tokens SET expires_at = now() - interval '1 second' WHERE status = 'active' AND ($1::text[] IS NULL OR token = ANY($1))`,
    [tokens ?? null],
  );
}
