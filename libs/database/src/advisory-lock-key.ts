import { createHash } from 'node:crypto';

/**
 * The signed 64-bit key PostgreSQL advisory locks take, derived from a readable name
 * (first 8 bytes of its SHA-256). Returned as a decimal string: pass it as `$1::bigint`,
 * since a JS number cannot hold 64 bits.
 */
export function advisoryLockKey(lockName: string): string {
  return createHash('sha256').update(lockName, 'utf8').digest().readBigInt64BE(0).toString();
}
