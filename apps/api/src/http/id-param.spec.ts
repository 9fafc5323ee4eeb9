import { parseIntegerId } from './id-param';

describe(parseIntegerId.name, () => {
  it('reads the ids of PostgreSQL integer keys', () => {
    expect(parseIntegerId('1')).toBe(1);
    expect(parseIntegerId('42')).toBe(42);
    expect(parseIntegerId('2147483647')).toBe(2_147_483_647);
  });

  it.each([
    '2147483648',
    '9999999999',
    '99999999999999999999',
    '0',
    '-1',
    '1e3',
    '0x10',
    '07',
    ' 7',
    '7 ',
    '1.0',
    '',
    'abc',
  ])('finds no id in %j', (raw) => {
    expect(parseIntegerId(raw)).toBeUndefined();
  });

  it('finds no id in what is not one path segment', () => {
    expect(parseIntegerId(undefined)).toBeUndefined();
    expect(parseIntegerId(['1'])).toBeUndefined();
  });
});
