import { parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['250ms', 250],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '3', '3 minutes', '-5s', '1.5h', 'm', '2w'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
