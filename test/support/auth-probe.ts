import { AuthenticatedUser } from '@app/auth';
import { Controller, Get, Module } from '@nestjs/common';
import { Authenticated, CurrentUser, Roles } from '../../apps/api/src/auth/guard';

/** Test-only routes behind the global guard: `GET /api/probe-auth/me` (any user) and `/admin` (admins). */
@Controller('api/probe-auth')
class AuthProbeController {
  @Get('me')
  @Authenticated()
  me(@CurrentUser() user: AuthenticatedUser) {
    return user;
  }

  @Get('admin')
  @Roles('admin')
  admin() {
    return { ok: true };
  }
}

@Module({ controllers: [AuthProbeController] })
export class AuthProbeModule {}

/** simplejwt's 401 body for a bad access token on a protected route. */
export const accessInvalid = (message: string) => ({
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [{ token_class: 'AccessToken', token_type: 'access', message }],
});
