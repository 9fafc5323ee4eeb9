import { retryDelayMs } from './webhook-retry';

const policy = { baseMs: 5000, maxDelayMs: 3_600_000 };

describe(retryDelayMs.name, () => {
  it('doubles from the base at each attempt', () => {
    const nominal = (attempt: number) => retryDelayMs(attempt, policy, () => 0.5);
    expect([1, 2, 3, 4, 5].map(nominal)).toEqual([5000, 10_000, 20_000, 40_000, 80_000]);
  });

  it('stops growing at the maximum delay, even after many attempts', () => {
    expect(retryDelayMs(11, policy, () => 0.5)).toBe(3_600_000);
    expect(retryDelayMs(500, policy, () => 0.5)).toBe(3_600_000);
  });

  it('jitters by at most 20% either way', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(4000);
    expect(retryDelayMs(1, policy, () => 0.999_999)).toBe(6000);
    for (let i = 0; i < 100; i += 1) {
      const delay = retryDelayMs(3, policy);
      expect(delay).toBeGreaterThanOrEqual(16_000);
      expect(delay).toBeLessThanOrEqual(24_000);
    }
  });
});
