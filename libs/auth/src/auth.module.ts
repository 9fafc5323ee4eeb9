import { EventsModule } from '@app/events';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StreamTicketsRepository } from './stream-tickets/stream-tickets.repository';
import { StreamTicketsService } from './stream-tickets/stream-tickets.service';
import { CredentialThrottleService } from './throttle/credential-throttle.service';
import { ThrottleCountersRepository } from './throttle/throttle-counters.repository';
import { JwtKeyRingModule } from './tokens/jwt-key-ring.module';
import { JWT_MODULE_OPTIONS_FROM_CONFIG } from './tokens/jwt-module-options';
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
 * Users, passwords, JWTs, the refresh-token store, the credential throttle (counters shared in the database) and
 * the stream tickets. Needs
 * `ConfigModule.forRoot` and `DatabaseModule.forRoot` (both global). Schedules nothing: the API
 * also imports `AuthCronModule` for the purges. The API's guard authenticates requests with `TokensService`.
 */
@Module({
  imports: [
    EventsModule,
    TypeOrmModule.forFeature([UserEntity, RefreshTokenEntity]),
    JwtKeyRingModule,
    JwtModule.registerAsync(JWT_MODULE_OPTIONS_FROM_CONFIG),
  ],
  providers: [
    PasswordHasher,
    UsersRepository,
    UserAuthCache,
    UsersService,
    RefreshTokensRepository,
    TokenCodec,
    SuccessorCipher,
    TokensService,
    ThrottleCountersRepository,
    CredentialThrottleService,
    StreamTicketsRepository,
    StreamTicketsService,
  ],
  exports: [UsersService, TokensService, TokenCodec, CredentialThrottleService, StreamTicketsService],
})
export class AuthModule {}
