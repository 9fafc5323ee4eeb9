import { nestsDeeperThan } from './json-depth';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe(nestsDeeperThan.name, () => {
  it('counts arrays and objects, whatever their mix', () => {
    expect(nestsDeeperThan(bytes('[{"a":[1]}]'), 3)).toBe(false);
    expect(nestsDeeperThan(bytes('[{"a":[[1]]}]'), 3)).toBe(true);
    expect(nestsDeeperThan(bytes('{}'), 0)).toBe(true);
    expect(nestsDeeperThan(bytes('"text" 1 true null'), 0)).toBe(false);
  });

  it('measures the deepest point, not the number of containers', () => {
    expect(nestsDeeperThan(bytes('[[1],[2],[3],{"a":{}},[[]]]'), 3)).toBe(false);
  });

  it('skips brackets inside strings, escaped quotes and backslashes included', () => {
    expect(nestsDeeperThan(bytes(JSON.stringify({ a: '[[[[{{{{' })), 1)).toBe(false);
    expect(nestsDeeperThan(bytes(JSON.stringify({ a: 'say \\"[[[[\\" \\\\' })), 1)).toBe(false);
    expect(nestsDeeperThan(bytes(JSON.stringify({ a: '\\', b: [[1]] })), 2)).toBe(true);
    expect(nestsDeeperThan(bytes(JSON.stringify({ 'k[[[': '😀[[[ é' })), 1)).toBe(false);
  });

  it('scans 45,000 levels without recursing, and ends on text that is not JSON', () => {
    expect(nestsDeeperThan(bytes('['.repeat(45_000) + ']'.repeat(45_000)), 32)).toBe(true);
    expect(nestsDeeperThan(bytes(']]]]]]"unterminated [[[['), 1)).toBe(false);
  });
});
