import { AppConfig } from '@app/config';
import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request, Response } from 'express';
import {
  ACCESS_HEADER,
  REFRESH_HEADER,
  csrfTokenMatches,
  isUnsafeMethod,
  noStore,
  refreshCookie,
  setRefreshCookies,
} from '../http/token-cookies';
import { badAuthorizationHeader, notAuthenticated, permissionDenied } from '../tokens/simplejwt-errors';
import { TokensService } from '../tokens/tokens.service';
import { AuthenticatedUser } from '../users/user.entity';
import { ACCESS_POLICY, AccessPolicy } from './access-policy.decorators';

export type AuthenticatedRequest = Request & { user?: AuthenticatedUser };

/**
 * The global guard (APP_GUARD): reads the route's access policy, authenticates the Bearer access
 * token like simplejwt's `JWTAuthentication`, checks the role, and sets `req.user`. A route
 * without a policy is treated as `@Authenticated()` (closed by default).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true; // bus consumers are not HTTP routes
    }
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (policy?.kind === 'public') {
      return true;
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) {
      throw notAuthenticated();
    }
    request.user = await this.authenticate(token, request, context.switchToHttp().getResponse<Response>());
    if (policy?.kind === 'roles' && !policy.roles.includes(request.user.role)) {
      throw permissionDenied();
    }
    return true;
  }

  /**
   * The refresh middleware (JWT_REFRESH_MIDDLEWARE) lives here, in the authentication step:
   * an expired access token plus a refresh token (X-Refresh-Token, or the cookie in cookie mode)
   * rotates and authenticates; the new pair goes back in X-Access-Token and X-Refresh-Token (or
   * the cookie, when it came from the cookie). Any failure answers the original 401.
   */
  private async authenticate(
    token: string,
    request: AuthenticatedRequest,
    response: Response,
  ): Promise<AuthenticatedUser> {
    try {
      return await this.tokens.authenticateAccess(token);
    } catch (error) {
      if (!this.config.JWT_REFRESH_MIDDLEWARE) {
        throw error;
      }
      const source = this.refreshSource(request);
      const refreshed = source && (await this.tokens.refreshExpiredAccess(token, source.token));
      if (!refreshed) {
        throw error;
      }
      response.setHeader(ACCESS_HEADER, refreshed.pair.access);
      noStore(response);
      if ('refresh' in refreshed.pair) {
        if (source.fromCookie) {
          setRefreshCookies(request, response, refreshed.pair.refresh, this.config.JWT_REFRESH_TOKEN_LIFETIME);
        } else {
          response.setHeader(REFRESH_HEADER, refreshed.pair.refresh);
        }
      }
      return refreshed.user;
    }
  }

  /** X-Refresh-Token first; in cookie mode the cookie, which an unsafe method may use only with the CSRF token. */
  private refreshSource(request: AuthenticatedRequest): { token: string; fromCookie: boolean } | undefined {
    const header = request.headers[REFRESH_HEADER.toLowerCase()];
    if (typeof header === 'string' && header.trim() !== '') {
      return { token: header.trim(), fromCookie: false };
    }
    const cookie = this.config.JWT_AUTH_COOKIE ? refreshCookie(request) : undefined;
    if (cookie === undefined || (isUnsafeMethod(request.method) && !csrfTokenMatches(request))) {
      return undefined;
    }
    return { token: cookie, fromCookie: true };
  }
}

/** The raw token of `Authorization: Bearer <token>`; `undefined` when there is none or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const parts = (header ?? '')
    .trim()
    .split(/\s+/)
    .filter((part) => part !== '');
  if (parts.length === 0 || parts[0] !== 'Bearer') {
    return undefined;
  }
  if (parts.length !== 2) {
    throw badAuthorizationHeader();
  }
  return parts[1];
}

/** The authenticated user of the request (`@Authenticated()` or `@Roles()` routes). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (user === undefined) {
    throw notAuthenticated();
  }
  return user;
});
