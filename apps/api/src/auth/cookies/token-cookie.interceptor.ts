import { AppConfig } from '@app/config';
import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiCookieAuth, ApiForbiddenResponse, ApiHeader } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Observable, tap } from 'rxjs';
import {
  CSRF_COOKIE,
  REFRESH_COOKIE,
  clearRefreshCookies,
  csrfFailed,
  csrfTokenMatches,
  refreshCookie,
  setRefreshCookies,
} from './token-cookies';
import { errorResponse } from '../../http/error-responses';

/**
 * What a token endpoint does with the refresh cookie in cookie mode:
 * - `issue` (obtain): sets it from the `refresh` of the answer;
 * - `rotate` (refresh): reads it when the body has no `refresh` (CSRF-checked), sets the successor;
 * - `clear` (blacklist): reads it like `rotate`, then clears it.
 */
export type RefreshCookieRole = 'issue' | 'rotate' | 'clear';

const REFRESH_COOKIE_ROLE = 'hourglass:refresh-cookie';

/**
 * Cookie mode (JWT_AUTH_COOKIE=true) on a token endpoint. Bodies keep simplejwt's contract
 * (`{access, refresh}` in, `refresh` read from the body first): the cookie is an addition.
 */
@Injectable()
export class TokenCookieInterceptor implements NestInterceptor {
  constructor(
    private readonly config: AppConfig,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const role = this.reflector.get<RefreshCookieRole | undefined>(REFRESH_COOKIE_ROLE, context.getHandler());
    if (!this.config.JWT_AUTH_COOKIE || role === undefined || context.getType() !== 'http') {
      return next.handle();
    }
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    if (role !== 'issue') {
      useRefreshCookie(request);
    }
    return next.handle().pipe(
      tap((result: unknown) => {
        const refresh = (result as { refresh?: unknown } | null)?.refresh;
        if (role === 'clear') {
          clearRefreshCookies(response);
        } else if (typeof refresh === 'string' && refresh !== '') {
          setRefreshCookies(request, response, refresh, this.config.JWT_REFRESH_TOKEN_LIFETIME);
        }
      }),
    );
  }
}

/**
 * A body without `refresh` takes the cookie's, which needs the double-submit CSRF token (unsafe
 * method). Nest runs interceptors before pipes, so `@DrfBody()` validates the body with the cookie in.
 */
function useRefreshCookie(request: Request): void {
  const body: unknown = request.body;
  const bodyIsObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  if ((bodyIsObject && 'refresh' in body) || (body !== undefined && !bodyIsObject)) {
    return;
  }
  const cookie = refreshCookie(request);
  if (cookie === undefined) {
    return; // simplejwt's 400 "This field is required."
  }
  if (!csrfTokenMatches(request)) {
    throw csrfFailed();
  }
  request.body = { ...(bodyIsObject ? body : {}), refresh: cookie };
}

/** Marks a token endpoint for cookie mode and documents the cookies in Swagger. */
export function RefreshCookie(role: RefreshCookieRole): MethodDecorator {
  const reads =
    role === 'issue'
      ? []
      : [
          ApiCookieAuth(REFRESH_COOKIE),
          ApiHeader({
            name: 'X-CSRF-Token',
            required: false,
            description: `Cookie mode, when the body has no \`refresh\`: the value of the \`${CSRF_COOKIE}\` cookie (double-submit CSRF).`,
          }),
          ApiForbiddenResponse(
            errorResponse(
              { detail: 'CSRF Failed: CSRF token missing.', code: 'csrf_failed' },
              {
                description:
                  'Cookie mode: the refresh token came from the cookie without a matching X-CSRF-Token header.',
              },
            ),
          ),
        ];
  return applyDecorators(SetMetadata(REFRESH_COOKIE_ROLE, role), UseInterceptors(TokenCookieInterceptor), ...reads);
}

/** Swagger `headers` of a 200 that sets (or clears) the cookies in cookie mode. */
export const REFRESH_COOKIE_HEADERS = {
  'Set-Cookie': {
    description:
      `Cookie mode (JWT_AUTH_COOKIE=true) only: \`${REFRESH_COOKIE}=<refresh>; Max-Age=<refresh lifetime>; Path=/api/; HttpOnly; Secure; SameSite=Strict\` ` +
      `and \`${CSRF_COOKIE}=<csrf token>; Path=/; Secure; SameSite=Strict\` (blacklist: both cleared).`,
    schema: { type: 'string' },
  },
};
