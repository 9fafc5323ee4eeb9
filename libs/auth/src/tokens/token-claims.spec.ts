import { newClaims, newJti, readClaims } from './token-claims';

describe('token claims', () => {
  it('makes simplejwt claims with exp = iat + lifetime (rounded up to seconds)', () => {
    const claims = newClaims('access', { id: 7, role: 'vendor' }, 1_000, 1_500);
    expect(claims).toEqual({
      token_type: 'access',
      exp: 1_002,
      iat: 1_000,
      jti: expect.stringMatching(/^[0-9a-f]{32}$/),
      user_id: 7,
      role: 'vendor',
    });
  });

  it('makes a new jti every time', () => {
    expect(newJti()).not.toBe(newJti());
  });

  it('reads back valid claims and refuses missing or ill-typed ones', () => {
    const claims = newClaims('refresh', { id: 1, role: 'admin' }, 10, 60_000);
    expect(readClaims({ ...claims })).toEqual(claims);
    expect(readClaims({ ...claims, token_type: 'id' })).toBeUndefined();
    expect(readClaims({ ...claims, user_id: '1' })).toBeUndefined();
    expect(readClaims({ ...claims, role: 'root' })).toBeUndefined();
    const { jti: _jti, ...withoutJti } = claims;
    expect(readClaims(withoutJti)).toBeUndefined();
  });
});
