import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { notAuthenticated, permissionDenied } from '../simplejwt-errors';
import { ACCESS_POLICY, AccessPolicy } from './access-policy.decorators';
import { AuthenticatedRequest } from './current-user.decorator';
import { JWT_STRATEGY } from './jwt.strategy';

/**
 * The global guard (APP_GUARD): reads the route's access policy; public routes skip
 * authentication, others authenticate through the passport `jwt` strategy (which sets
 * `req.user`), then the role is checked. A route without a policy is treated as
 * `@Authenticated()` (closed by default).
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
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
    await (super.canActivate(context) as Promise<boolean>);
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (policy?.kind === 'roles' && (user === undefined || !policy.roles.includes(user.role))) {
      throw permissionDenied();
    }
    return true;
  }

  /**
   * The strategy's refusal as it is (simplejwt's 401 bodies and `WWW-Authenticate` challenge, via
   * the exception filter), never passport's bare `UnauthorizedException`.
   */
  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error instanceof Error) {
      throw error;
    }
    if (!user) {
      throw notAuthenticated(); // the strategy always returns a user or throws: a safe default
    }
    return user;
  }
}
