import { randomBytes } from 'node:crypto';
import type { BenchApi } from './api-process';

export interface TokenPair {
  access: string;
  refresh: string;
}

/** A user of the bench, made as a client or an operator would make it (never inside the API). */
export interface BenchAccount extends TokenPair {
  username: string;
  password: string;
}

async function postJson(
  origin: string,
  path: string,
  body: object,
  access?: string,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(access ? { authorization: `Bearer ${access}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

async function expect(call: Promise<{ status: number; text: string }>, status: number, what: string): Promise<string> {
  const answer = await call;
  if (answer.status !== status) {
    throw new Error(`${what} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  }
  return answer.text;
}

/** POST /api/token/. */
export async function signIn(origin: string, username: string, password: string): Promise<TokenPair> {
  const text = await expect(postJson(origin, '/api/token/', { username, password }), 200, `POST ${origin}/api/token/`);
  return JSON.parse(text) as TokenPair;
}

/** A customer who registered through POST /api/users/register/ and signed in. */
export async function customer(api: BenchApi, username: string): Promise<BenchAccount> {
  const password = randomBytes(12).toString('hex');
  await expect(
    postJson(api.origin, '/api/users/register/', { username, email: `${username}@bench.invalid`, password }),
    201,
    `register ${username}`,
  );
  return { username, password, ...(await signIn(api.origin, username, password)) };
}

/** A vendor, which only an operator can make: `npm run cli -- users create --role vendor`. */
export async function vendor(api: BenchApi, username: string): Promise<BenchAccount> {
  const password = randomBytes(12).toString('hex');
  await api.cli(['users', 'create', '--username', username, '--password', password, '--role', 'vendor']);
  return { username, password, ...(await signIn(api.origin, username, password)) };
}

const adminAccess = new WeakMap<BenchApi, string>();

/** POST /api/admin/points/grant/ as the admin the API made at start (ADMIN_USERNAME/ADMIN_PASSWORD). */
export async function grant(api: BenchApi, username: string, points: number): Promise<void> {
  let access = adminAccess.get(api);
  if (access === undefined) {
    access = (await signIn(api.origin, api.admin.username, api.admin.password)).access;
    adminAccess.set(api, access);
  }
  await expect(
    postJson(api.origin, '/api/admin/points/grant/', { username, points, reason: 'bench' }, access),
    201,
    `grant ${points} points to ${username}`,
  );
}
