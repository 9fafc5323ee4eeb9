/** After this many consecutive failed refreshes a session is `error` and no longer retried on its own. */
export const MAX_CONSECUTIVE_FAILURES = 5;

/** First delay after a failure: anti-bot blocks wait much longer than a flaky network. */
const BASE_DELAY_MS = { blocked: 5 * 60_000, transient: 30_000 } as const;
const MAX_DELAY_MS = 6 * 3_600_000;

/**
 * Exponential back-off with "equal jitter": the delay doubles with each consecutive failure, and
 * half of it is random so that many sessions blocked at the same moment do not come back at the
 * same moment (which is what trips anti-bot again). A server's `Retry-After` is a floor.
 *
 * @param failures consecutive failures including this one (1 for the first)
 * @param random a number in [0, 1) — `Math.random` in production, fixed in tests
 */
export function backoffDelayMs(
  kind: 'blocked' | 'transient',
  failures: number,
  random: number,
  retryAfterMs = 0,
): number {
  const exponent = Math.max(0, Math.min(failures - 1, 20));
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS[kind] * 2 ** exponent);
  const delay = ceiling / 2 + (ceiling / 2) * random;
  return Math.round(Math.max(delay, Math.min(retryAfterMs, MAX_DELAY_MS)));
}

/** Random delay in [0, maxMs) spreading the accounts of one tick so they do not hit Vinted in a burst. */
export function jitterMs(maxMs: number, random: number): number {
  return Math.floor(Math.max(0, maxMs) * random);
}
