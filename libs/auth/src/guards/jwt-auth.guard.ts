import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request } from 'express';
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
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true; // bus consumers are not HTTP routes
    }
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [context.getHandler(), context.getClass()]);
    if (policy?.kind === 'public') {
      return true;
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) {
      throw notAuthenticated();
    }
    request.user = await this.tokens.authenticateAccess(token);
    if (policy?.kind === 'roles' && !policy.roles.includes(request.user.role)) {
      throw permissionDenied();
    }
    return true;
  }
}

/** The raw token of `Authorization: Bearer <token>`; `undefined` when there is none or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const parts = (header ?? '').trim().split(/\s+/).filter((part) => part !== '');
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
