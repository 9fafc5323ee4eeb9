import { AuthenticatedUser, TokensService } from '@app/auth';
import { AppConfig } from '@app/config';
import { Request } from 'express';
import {
  ACCESS_HEADER,
  REFRESH_HEADER,
  csrfTokenMatches,
  isUnsafeMethod,
  refreshCookie,
  setRefreshCookies,
} from '../cookies/token-cookies';

/**
 * The refresh middleware (JWT_REFRESH_MIDDLEWARE), part of authentication: an expired access
 * token plus a refresh token (X-Refresh-Token, or the cookie in cookie mode) rotates and
 * authenticates; the new pair goes back in X-Access-Token and X-Refresh-Token (or the cookie,
 * when it came from the cookie). `undefined` when it does not apply or fails: the caller answers
 * the access token's own 401.
 */
export async function refreshExpiredAccess(
  tokens: TokensService,
  config: AppConfig,
  access: string,
  request: Request,
): Promise<AuthenticatedUser | undefined> {
  const response = request.res;
  const source = refreshSource(request, config);
  if (response === undefined || source === undefined) {
    return undefined;
  }
  const refreshed = await tokens.refreshExpiredAccess(access, source.token);
  if (refreshed === undefined) {
    return undefined;
  }
  response.setHeader(ACCESS_HEADER, refreshed.pair.access);
  if ('refresh' in refreshed.pair) {
    if (source.fromCookie) {
      setRefreshCookies(request, response, refreshed.pair.refresh, config.JWT_REFRESH_TOKEN_LIFETIME);
    } else {
      response.setHeader(REFRESH_HEADER, refreshed.pair.refresh);
    }
  }
  return refreshed.user;
}

/** X-Refresh-Token first; in cookie mode the cookie, which an unsafe method may use only with the CSRF token. */
function refreshSource(request: Request, config: AppConfig): { token: string; fromCookie: boolean } | undefined {
  const header = request.headers[REFRESH_HEADER.toLowerCase()];
  if (typeof header === 'string' && header.trim() !== '') {
    return { token: header.trim(), fromCookie: false };
  }
  const cookie = config.JWT_AUTH_COOKIE ? refreshCookie(request) : undefined;
  if (cookie === undefined || (isUnsafeMethod(request.method) && !csrfTokenMatches(request))) {
    return undefined;
  }
  return { token: cookie, fromCookie: true };
}
