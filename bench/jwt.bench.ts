import { randomBytes } from 'node:crypto';
import { AuthModule, TokenCodec } from '@app/auth';
import { createDatabaseTestApp } from '@app/testing';
import { jwtVerify } from 'jose';
import { scratchDatabase } from './api-process';
import type { Metric } from './summary';

/** Calls `fn` back to back for `durationMs` and returns calls per second. */
async function opsPerSecond(durationMs: number, fn: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    for (let i = 0; i < 100; i++) {
      await fn();
    }
    count += 100;
  }
  return count / ((performance.now() - started) / 1000);
}

/**
 * JWT verification in this process (a library measurement; the API is not running): jose's
 * `jwtVerify` on an HS256 access token against `TokenCodec.decode`, which the guard calls (a cache
 * hit after the first), the codec booted with AuthModule as the API boots it, on a scratch database.
 */
export async function jwtMetrics(durationMs: number, log: (line: string) => void): Promise<Metric[]> {
  const database = await scratchDatabase();
  const key = randomBytes(32).toString('hex');
  const app = await createDatabaseTestApp({
    env: { ...database.env, JWT_SIGNING_KEY: key, JWT_ALGORITHM: 'HS256', LOG_LEVEL: 'silent' },
    imports: [AuthModule],
    migrate: false,
    logger: false,
  });
  try {
    const codec = app.get(TokenCodec);
    const now = Math.floor(Date.now() / 1000);
    const access = await codec.sign({
      token_type: 'access',
      iat: now,
      exp: now + 3_600,
      jti: randomBytes(16).toString('hex'),
      user_id: 1,
      role: 'customer',
    });
    log('JWT verification in process (jose vs TokenCodec) …');
    const raw = await opsPerSecond(durationMs, () => jwtVerify(access, Buffer.from(key), { algorithms: ['HS256'] }));
    const ours = await opsPerSecond(durationMs, () => codec.decode(access, 'access'));
    return [
      {
        metric: 'access token check, in process',
        unit: 'ops/s',
        hourglass: ours,
        baseline: { name: 'jose jwtVerify', value: raw },
      },
    ];
  } finally {
    await app.close();
    await database.cleanup();
  }
}
