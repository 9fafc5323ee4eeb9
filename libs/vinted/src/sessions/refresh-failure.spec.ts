import { describeRefreshFailure } from './refresh-failure';

describe(describeRefreshFailure.name, () => {
  it('shows a failure as `<kind>: <reason>`, the text the column held before the kind had its own', () => {
    expect(describeRefreshFailure('blocked', 'HTTP 429 rate limited (anti-bot)')).toBe(
      'blocked: HTTP 429 rate limited (anti-bot)',
    );
    expect(describeRefreshFailure('dead', 'HTTP 401: Vinted refused the refresh token')).toBe(
      'dead: HTTP 401: Vinted refused the refresh token',
    );
  });

  it('shows a reason without a kind as it is, and nothing when there was no failure', () => {
    expect(describeRefreshFailure(null, 'written before kinds existed')).toBe('written before kinds existed');
    expect(describeRefreshFailure(null, null)).toBeNull();
  });
});
