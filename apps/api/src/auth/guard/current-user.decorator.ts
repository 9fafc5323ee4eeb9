import { AuthenticatedUser } from '@app/auth';
import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { Request } from 'express';
import { notAuthenticated } from '../simplejwt-errors';

/** A request the global guard authenticated: it put the user here. */
export type AuthenticatedRequest = Request & { user?: AuthenticatedUser };

/** The authenticated user of the request (`@Authenticated()` or `@Roles()` routes). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (user === undefined) {
    throw notAuthenticated();
  }
  return user;
});
