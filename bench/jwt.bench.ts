import { TokenCodec } from '@app/auth';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { BenchApi } from './stack';
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
 * JWT verification in process: jose's `jwtVerify` on the same token and key (the raw cost of a
 * verification) against `TokenCodec.decode`, which the guard calls (a cache hit after the first).
 */
export async function jwtMetrics(
  api: BenchApi,
  access: string,
  durationMs: number,
  log: (line: string) => void,
): Promise<Metric[]> {
  const codec = api.app.get(TokenCodec);
  if (decodeProtectedHeader(access).alg !== 'HS256') {
    return []; // the baseline below is written for the default algorithm
  }
  const key = Buffer.from(api.jwtSigningKey);
  log('JWT verification in process (jose vs TokenCodec) …');
  const raw = await opsPerSecond(durationMs, () => jwtVerify(access, key, { algorithms: ['HS256'] }));
  const ours = await opsPerSecond(durationMs, () => codec.decode(access, 'access'));
  return [
    {
      metric: 'access token check, in process',
      unit: 'ops/s',
      hourglass: ours,
      baseline: { name: 'jose jwtVerify', value: raw },
    },
  ];
}
