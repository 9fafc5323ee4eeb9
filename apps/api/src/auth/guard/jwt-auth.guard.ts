import { AuthenticatedUser, StreamTicketsService } from '@app/auth';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { permissionDenied } from '../simplejwt-errors';
import { ACCESS_POLICY, AccessPolicy } from './access-policy.decorators';
import { AuthenticatedRequest } from './current-user.decorator';
import { JwtStrategy } from './jwt.strategy';
import { STREAM_TICKET, StreamOfRequest, presentedTicket } from './stream-ticket';

/**
 * The global guard (APP_GUARD): reads the route's access policy; public routes skip
 * authentication, others authenticate through the `jwt` strategy (which refuses by throwing) and
 * get `req.user`, then the role is checked. A route without a policy is treated as
 * `@Authenticated()` (closed by default). An event stream marked `@AcceptsStreamTicket()` also
 * authenticates a request without an `Authorization` header by its `?ticket=`, consumed here.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: JwtStrategy,
    private readonly tickets: StreamTicketsService,
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
    const user = await this.authenticate(context, request);
    request.user = user;
    if (policy?.kind === 'roles' && !policy.roles.includes(user.role)) {
      throw permissionDenied();
    }
    return true;
  }

  private authenticate(context: ExecutionContext, request: AuthenticatedRequest): Promise<AuthenticatedUser> {
    const streamOf = this.reflector.get<StreamOfRequest | undefined>(STREAM_TICKET, context.getHandler());
    const ticket = streamOf === undefined ? undefined : presentedTicket(request);
    if (streamOf === undefined || ticket === undefined) {
      return this.strategy.authenticate(request);
    }
    return this.tickets.redeem(ticket, streamOf(request.params) ?? '');
  }
}
