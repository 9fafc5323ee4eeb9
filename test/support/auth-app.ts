import { UsersService } from '@app/auth';
import { loadConfig } from '@app/config';
import { TestStack, createTestStack } from '@app/testing';
import { Type } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApiApp } from '../../apps/api/src/create-api-app';

export const SIGNING_KEY = 'test-signing-key-0123456789-0123456789-abcdef';

/**
 * Specs register accounts and try wrong credentials far more often than a person would: the
 * credential throttle's limits (AUTH_THROTTLE_LIMIT, and the username and IP limits that default to
 * 5 times it) are raised out of their way (test/auth-throttling.e2e-spec.ts lowers them through `env`).
 */
export const TEST_AUTH_THROTTLE_LIMIT = '100000';

/** The real API on a fresh stack, with `env` overrides (short lifetimes, algorithms…). */
export async function startAuthApp(
  target: Parameters<typeof createTestStack>[0],
  env: Record<string, string> = {},
  extraModules: Type[] = [],
): Promise<{ stack: TestStack; app: NestExpressApplication; close(): Promise<void> }> {
  const stack = await createTestStack(target);
  const app = await createApiApp(
    loadConfig({ JWT_SIGNING_KEY: SIGNING_KEY, AUTH_THROTTLE_LIMIT: TEST_AUTH_THROTTLE_LIMIT, ...stack.env, ...env })
      .config,
    extraModules,
  );
  return {
    stack,
    app,
    close: async () => {
      await app.close();
      await stack.cleanup();
    },
  };
}

export async function createUser(
  app: NestExpressApplication,
  username: string,
  password = 'correct-horse',
  role: 'customer' | 'vendor' | 'admin' = 'customer',
) {
  return app.get(UsersService).create({ username, password, role, email: `${username}@example.com` });
}

export async function login(
  app: NestExpressApplication,
  username: string,
  password = 'correct-horse',
): Promise<{ access: string; refresh: string }> {
  const { body } = await request(app.getHttpServer()).post('/api/token/').send({ username, password }).expect(200);
  return body as { access: string; refresh: string };
}

/** The payload of a JWT, unverified (to inspect claims in tests). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
