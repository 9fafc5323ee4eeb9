import { AuthCronModule, AuthModule } from '@app/auth';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminBootstrap } from './admin-bootstrap';
import { AdminUsersController } from './admin-users.controller';
import { JwtAuthGuard } from './guard/jwt-auth.guard';
import { JwtStrategy } from './guard/jwt.strategy';
import { JwksController } from './jwks.controller';
import { TokenController } from './token.controller';
import { UsersController } from './users.controller';

/** The auth endpoints, the global guard (every route is public, authenticated or role-bound) and the purge. */
@Module({
  imports: [AuthModule, AuthCronModule],
  controllers: [TokenController, UsersController, AdminUsersController, JwksController],
  providers: [JwtStrategy, { provide: APP_GUARD, useClass: JwtAuthGuard }, AdminBootstrap],
})
export class AuthHttpModule {}
