import { ExactHttpError } from '../../http/exact-http-error';
import { bearerToken } from './bearer-token';

describe(bearerToken.name, () => {
  it('reads the token of a Bearer header', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it('ignores a missing header, an empty one and other schemes (simplejwt: not authenticated)', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('   ')).toBeUndefined();
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('bearer abc')).toBeUndefined();
  });

  it('refuses a Bearer header with more than one value', () => {
    expect(() => bearerToken('Bearer a b')).toThrow(ExactHttpError);
  });
});
