import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { RefreshTokenEntity } from './tokens/refresh-token.entity';
import { RefreshTokensRepository } from './tokens/refresh-tokens.repository';
import { SuccessorCipher } from './tokens/successor-cipher';
import { TokenCodec } from './tokens/token-codec';
import { TokensService } from './tokens/tokens.service';
import { PasswordHasher } from './users/password-hasher';
import { UserAuthCache } from './users/user-auth-cache';
import { UserEntity } from './users/user.entity';
import { UsersRepository } from './users/users.repository';
import { UsersService } from './users/users.service';

/**
 * Users, passwords, JWTs and the refresh-token store. Needs `ConfigModule.forRoot` and
 * `DatabaseModule.forRoot` (both global). Schedules nothing: the API also imports
 * `AuthCronModule` for the refresh-token purge. Apps register `JwtAuthGuard` as APP_GUARD.
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, RefreshTokenEntity])],
  providers: [
    PasswordHasher,
    UsersRepository,
    UserAuthCache,
    UsersService,
    RefreshTokensRepository,
    TokenCodec,
    SuccessorCipher,
    TokensService,
    JwtAuthGuard,
  ],
  exports: [UsersService, TokensService, TokenCodec, JwtAuthGuard],
})
export class AuthModule {}
