/** The delays between attempts: WEBHOOK_RETRY_BASE, WEBHOOK_RETRY_MAX_DELAY (when to give up is WEBHOOK_RETRY_WINDOW, the repository's). */
export interface RetryPolicy {
  baseMs: number;
  maxDelayMs: number;
}

/** ±20% around the nominal delay, so that receivers coming back up are not hit by every retry at once. */
const JITTER = 0.2;

/**
 * The delay before the attempt after attempt number `attempt` (1 = the first) failed:
 * `base × 2^(attempt−1)`, capped at `maxDelayMs`, then jittered by ±20%.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.round(nominal * (1 - JITTER + 2 * JITTER * random()));
}
