import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { permissionDenied } from '../simplejwt-errors';
import { ACCESS_POLICY, AccessPolicy } from './access-policy.decorators';
import { AuthenticatedRequest } from './current-user.decorator';
import { JwtStrategy } from './jwt.strategy';

/**
 * The global guard (APP_GUARD): reads the route's access policy; public routes skip
 * authentication, others authenticate through the `jwt` strategy (which refuses by throwing) and
 * get `req.user`, then the role is checked. A route without a policy is treated as
 * `@Authenticated()` (closed by default).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: JwtStrategy,
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
    const user = await this.strategy.authenticate(request);
    request.user = user;
    if (policy?.kind === 'roles' && !policy.roles.includes(user.role)) {
      throw permissionDenied();
    }
    return true;
  }
}
