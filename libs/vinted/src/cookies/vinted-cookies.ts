import { InvalidVintedCookiesError } from '../vinted.errors';

export const ACCESS_COOKIE = 'access_token_web';
export const REFRESH_COOKIE = 'refresh_token_web';

/** A cookie jar: name → value, in the order the browser sent them. */
export type CookieJar = Map<string, string>;

export interface SetCookie {
  name: string;
  value: string;
  /** `Max-Age=0` or an `Expires` in the past: the server deletes the cookie. */
  deleted: boolean;
}

export interface JwtClaims {
  exp?: number;
  iat?: number;
  purpose?: string;
  [claim: string]: unknown;
}

/** The two tokens of a session and their expiry instants (from `exp`, unverified). */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
  refreshExpiresAt: Date;
}

/**
 * Parses what a user copies from the browser's developer tools: `name=value; name2=value2`,
 * optionally prefixed with `Cookie:`. Values may contain `=`; entries without one are ignored.
 */
export function parseCookieString(text: string): CookieJar {
  const jar: CookieJar = new Map();
  for (const part of text
    .trim()
    .replace(/^cookie:\s*/i, '')
    .split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      continue;
    }
    const name = part.slice(0, eq).trim();
    const value = unquote(part.slice(eq + 1).trim());
    if (name !== '') {
      jar.set(name, value);
    }
  }
  return jar;
}

export function serializeCookies(jar: CookieJar): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** One `Set-Cookie` header value; `undefined` when it has no `name=value` pair. */
export function parseSetCookie(header: string, nowMs: number): SetCookie | undefined {
  const [pair, ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) {
    return undefined;
  }
  const name = pair.slice(0, eq).trim();
  if (name === '') {
    return undefined;
  }
  let deleted = false;
  for (const attribute of attributes) {
    const [key, ...rest] = attribute.split('=');
    const value = rest.join('=').trim();
    const lower = key.trim().toLowerCase();
    if (lower === 'max-age' && /^-?\d+$/.test(value) && Number(value) <= 0) {
      deleted = true;
    } else if (lower === 'expires' && Date.parse(value) <= nowMs) {
      deleted = true;
    }
  }
  return { name, value: unquote(pair.slice(eq + 1).trim()), deleted };
}

/** The jar after a response's `Set-Cookie` headers: new values replace old, deletions remove. */
export function applySetCookies(jar: CookieJar, headers: string[], nowMs: number): CookieJar {
  const next: CookieJar = new Map(jar);
  for (const header of headers) {
    const cookie = parseSetCookie(header, nowMs);
    if (cookie === undefined) {
      continue;
    }
    if (cookie.deleted || cookie.value === '') {
      next.delete(cookie.name);
    } else {
      next.set(cookie.name, cookie.value);
    }
  }
  return next;
}

/** The payload of a compact JWS, without verifying it (we cannot: Vinted's key is not ours). */
export function readJwtClaims(token: string): JwtClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) {
    return undefined;
  }
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as JwtClaims)
      : undefined;
  } catch {
    return undefined;
  }
}

/** When the JWT expires, from its `exp` claim; `undefined` if it is not a JWT with a numeric `exp`. */
export function jwtExpiry(token: string): Date | undefined {
  const exp = readJwtClaims(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000) : undefined;
}

/**
 * The session's two tokens, checked for shape: both present, both JWTs with an `exp`, and a
 * `purpose` claim (when present) that matches the cookie. Throws `InvalidVintedCookiesError`
 * whose message names the cookie, never its value.
 */
export function extractTokens(jar: CookieJar): SessionTokens {
  const missing = [ACCESS_COOKIE, REFRESH_COOKIE].filter((name) => !jar.get(name));
  if (missing.length > 0) {
    throw new InvalidVintedCookiesError(
      'vinted_cookies_missing_tokens',
      `The cookie string must contain ${ACCESS_COOKIE} and ${REFRESH_COOKIE}; missing: ${missing.join(', ')}.`,
    );
  }
  const accessToken = jar.get(ACCESS_COOKIE) as string;
  const refreshToken = jar.get(REFRESH_COOKIE) as string;
  return {
    accessToken,
    refreshToken,
    accessExpiresAt: checkedExpiry(ACCESS_COOKIE, accessToken, 'access'),
    refreshExpiresAt: checkedExpiry(REFRESH_COOKIE, refreshToken, 'refresh'),
  };
}

function checkedExpiry(cookie: string, token: string, purpose: 'access' | 'refresh'): Date {
  const claims = readJwtClaims(token);
  if (claims === undefined || typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) {
    throw new InvalidVintedCookiesError(
      'vinted_token_malformed',
      `The ${cookie} cookie is not a JWT with an "exp" claim.`,
    );
  }
  if (claims.purpose !== undefined && claims.purpose !== purpose) {
    throw new InvalidVintedCookiesError(
      'vinted_token_wrong_purpose',
      `The ${cookie} cookie holds a token whose purpose is not "${purpose}".`,
    );
  }
  return new Date(claims.exp * 1000);
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
