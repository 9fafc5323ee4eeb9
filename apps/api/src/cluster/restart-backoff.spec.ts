import { RESTART_MAX_MS, RESTART_MIN_MS, RestartBackoff } from './api-supervisor';

describe(RestartBackoff.name, () => {
  it('doubles the delay while crashes follow each other, up to the maximum', () => {
    let now = 0;
    const backoff = new RestartBackoff(() => now);
    const delays = Array.from({ length: 8 }, () => {
      now += 5_000;
      return backoff.next();
    });
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(delays[0]).toBe(RESTART_MIN_MS);
    expect(Math.max(...delays)).toBe(RESTART_MAX_MS);
  });

  it('starts over once a minute has passed without a crash', () => {
    let now = 0;
    const backoff = new RestartBackoff(() => now);
    backoff.next();
    now += 1_000;
    expect(backoff.next()).toBe(2_000);
    now += 60_001;
    expect(backoff.next()).toBe(RESTART_MIN_MS);
  });
});
