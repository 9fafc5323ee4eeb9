import { InvalidVintedCookiesError } from '../vinted.errors';
import {
  applySetCookies,
  extractTokens,
  jwtExpiry,
  parseCookieString,
  parseSetCookie,
  readJwtClaims,
  serializeCookies,
} from './vinted-cookies';

/** An unsigned JWT-shaped token with `claims` (signatures are never verified here). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'PS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

const EXP = 1_900_000_000;
const access = jwt({ exp: EXP, purpose: 'access' });
const refresh = jwt({ exp: EXP + 7 * 86_400, purpose: 'refresh' });

describe('Vinted cookies', () => {
  describe(parseCookieString.name, () => {
    it('reads a pasted Cookie header, keeping "=" inside values and dropping stray parts', () => {
      const jar = parseCookieString(
        `Cookie: anon_id=abc; v_udt=x==; access_token_web=${access};junk; refresh_token_web="${refresh}"; `,
      );
      expect([...jar.entries()]).toEqual([
        ['anon_id', 'abc'],
        ['v_udt', 'x=='],
        ['access_token_web', access],
        ['refresh_token_web', refresh],
      ]);
      expect(serializeCookies(jar)).toBe(
        `anon_id=abc; v_udt=x==; access_token_web=${access}; refresh_token_web=${refresh}`,
      );
    });
  });

  describe(parseSetCookie.name, () => {
    const now = Date.parse('2026-11-21T10:00:00Z');

    it('reads name and value and ignores the attributes', () => {
      expect(
        parseSetCookie(
          `access_token_web=${access}; Domain=.vinted.fr; Path=/; Expires=Sat, 21 Nov 2026 12:00:00 GMT; Secure; HttpOnly; SameSite=Lax`,
          now,
        ),
      ).toEqual({
        name: 'access_token_web',
        value: access,
        deleted: false,
      });
    });

    it('sees a deletion by Max-Age=0 or a past Expires', () => {
      expect(parseSetCookie('datadome=x; Max-Age=0; Path=/', now)?.deleted).toBe(true);
      expect(parseSetCookie('datadome=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT', now)?.deleted).toBe(true);
      expect(parseSetCookie('no-equals-sign; Path=/', now)).toBeUndefined();
    });

    it('merges a response into the jar: replaced, added, deleted', () => {
      const jar = parseCookieString(`a=1; datadome=old; access_token_web=${access}`);
      const next = applySetCookies(jar, ['access_token_web=new; Path=/', 'b=2', 'datadome=gone; Max-Age=0'], now);
      expect(Object.fromEntries(next)).toEqual({ a: '1', access_token_web: 'new', b: '2' });
      expect(jar.get('access_token_web')).toBe(access);
    });
  });

  describe(readJwtClaims.name, () => {
    it('reads the payload without verifying, and the expiry from exp', () => {
      expect(readJwtClaims(access)).toEqual({ exp: EXP, purpose: 'access' });
      expect(jwtExpiry(access)).toEqual(new Date(EXP * 1000));
    });

    it.each(['abc', 'a.b', 'a.b.c.d', `x.${Buffer.from('[1]').toString('base64url')}.y`, 'a.!!.c'])(
      'rejects %s',
      (token) => {
        expect(jwtExpiry(token)).toBeUndefined();
      },
    );
  });

  describe(extractTokens.name, () => {
    it('returns both tokens with their expiries', () => {
      const tokens = extractTokens(parseCookieString(`access_token_web=${access}; refresh_token_web=${refresh}`));
      expect(tokens).toEqual({
        accessToken: access,
        refreshToken: refresh,
        accessExpiresAt: new Date(EXP * 1000),
        refreshExpiresAt: new Date((EXP + 7 * 86_400) * 1000),
      });
    });

    it.each([
      [`access_token_web=${access}`, 'vinted_cookies_missing_tokens'],
      [`access_token_web=nope; refresh_token_web=${refresh}`, 'vinted_token_malformed'],
      [`access_token_web=${jwt({ purpose: 'access' })}; refresh_token_web=${refresh}`, 'vinted_token_malformed'],
      [`access_token_web=${refresh}; refresh_token_web=${refresh}`, 'vinted_token_wrong_purpose'],
    ])('refuses %s with %s, naming no token', (cookies, code) => {
      let caught: unknown;
      try {
        extractTokens(parseCookieString(cookies));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidVintedCookiesError);
      expect((caught as InvalidVintedCookiesError).code).toBe(code);
      expect((caught as Error).message).not.toContain(refresh);
      expect((caught as Error).message).not.toContain(access);
    });
  });
});
