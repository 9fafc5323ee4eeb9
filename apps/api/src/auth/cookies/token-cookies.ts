import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ExactHttpError } from '../../http/exact-http-error';
import { CookieOptions, Request, Response } from 'express';

/** Cookie mode (JWT_AUTH_COOKIE): the refresh token lives in this httpOnly cookie. */
export const REFRESH_COOKIE = 'hourglass_refresh';
/** Double-submit CSRF token: readable by the front end, sent back in `X-CSRF-Token`. */
export const CSRF_COOKIE = 'hourglass_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** Refresh middleware (JWT_REFRESH_MIDDLEWARE): request header with the refresh token, response headers with the new pair. */
export const REFRESH_HEADER = 'X-Refresh-Token';
export const ACCESS_HEADER = 'X-Access-Token';

/**
 * `/api/`, not `/api/token/`: the refresh middleware must see the cookie on every API request.
 * httpOnly + Secure + SameSite=Strict keep it from scripts, plain HTTP and cross-site requests.
 */
const REFRESH_COOKIE_PATH = '/api/';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The cookies of a request (a minimal RFC 6265 parse of the `Cookie` header; first value wins). */
export function requestCookies(request: Request): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      continue;
    }
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1);
    }
    if (name !== '' && !(name in cookies)) {
      try {
        cookies[name] = decodeURIComponent(value);
      } catch {
        cookies[name] = value;
      }
    }
  }
  return cookies;
}

/** The refresh token of the cookie, if any. */
export function refreshCookie(request: Request): string | undefined {
  const value = requestCookies(request)[REFRESH_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

export function isUnsafeMethod(method: string): boolean {
  return UNSAFE_METHODS.has(method.toUpperCase());
}

/** True when the `X-CSRF-Token` header equals the CSRF cookie (both present, constant-time compare). */
export function csrfTokenMatches(request: Request): boolean {
  const cookie = requestCookies(request)[CSRF_COOKIE];
  const header = request.headers[CSRF_HEADER];
  if (typeof header !== 'string' || header === '' || cookie === undefined || cookie === '') {
    return false;
  }
  const a = Buffer.from(header);
  const b = Buffer.from(cookie);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** DRF's CSRF refusal (SessionAuthentication), with our `code`. */
export function csrfFailed(): ExactHttpError {
  return new ExactHttpError(403, { detail: 'CSRF Failed: CSRF token missing.', code: 'csrf_failed' });
}

const refreshCookieOptions = (): CookieOptions => ({
  httpOnly: true,
  secure: true,
  sameSite: 'strict',
  path: REFRESH_COOKIE_PATH,
});
const csrfCookieOptions = (): CookieOptions => ({ httpOnly: false, secure: true, sameSite: 'strict', path: '/' });

/**
 * Sets the refresh cookie (Max-Age = the refresh lifetime) and the CSRF cookie that goes with
 * it; an existing CSRF token is kept so that a front end's copy stays valid across rotations.
 */
export function setRefreshCookies(request: Request, response: Response, refresh: string, lifetimeMs: number): void {
  response.cookie(REFRESH_COOKIE, refresh, { ...refreshCookieOptions(), maxAge: lifetimeMs });
  const csrf = requestCookies(request)[CSRF_COOKIE];
  response.cookie(
    CSRF_COOKIE,
    csrf !== undefined && /^[A-Za-z0-9_-]{32,128}$/.test(csrf) ? csrf : randomBytes(32).toString('base64url'),
    {
      ...csrfCookieOptions(),
      maxAge: lifetimeMs,
    },
  );
}

/** Logout: both cookies expire now. */
export function clearRefreshCookies(response: Response): void {
  response.clearCookie(REFRESH_COOKIE, refreshCookieOptions());
  response.clearCookie(CSRF_COOKIE, csrfCookieOptions());
}
