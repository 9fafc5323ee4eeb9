import { backoffDelayMs, jitterMs } from './refresh-backoff';

describe(backoffDelayMs.name, () => {
  it('doubles with each consecutive failure, half of it jittered', () => {
    expect(backoffDelayMs('transient', 1, 0)).toBe(15_000);
    expect(backoffDelayMs('transient', 1, 0.999_999)).toBeCloseTo(30_000, -1);
    expect(backoffDelayMs('transient', 2, 0)).toBe(30_000);
    expect(backoffDelayMs('transient', 3, 0)).toBe(60_000);
  });

  it('waits much longer after an anti-bot block than after a transient failure', () => {
    expect(backoffDelayMs('blocked', 1, 0)).toBe(150_000);
    expect(backoffDelayMs('blocked', 2, 0.5)).toBe(450_000);
  });

  it('is capped at six hours, even after many failures', () => {
    expect(backoffDelayMs('blocked', 50, 0.999_999)).toBeLessThanOrEqual(6 * 3_600_000);
    expect(backoffDelayMs('blocked', 50, 0)).toBe(3 * 3_600_000);
  });

  it('honours a longer Retry-After as a floor', () => {
    expect(backoffDelayMs('transient', 1, 0, 120_000)).toBe(120_000);
    expect(backoffDelayMs('blocked', 1, 0, 1_000)).toBe(150_000);
  });

  it('spreads sessions over the jitter window', () => {
    expect(jitterMs(1_000, 0)).toBe(0);
    expect(jitterMs(1_000, 0.5)).toBe(500);
    expect(jitterMs(-5, 0.5)).toBe(0);
  });
});
