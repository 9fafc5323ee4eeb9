export { AuthCronModule } from './auth-cron.module';
export { AuthModule } from './auth.module';
export {
  AuthError,
  FieldErrors,
  InvalidCredentialsError,
  NoActiveAccountError,
  TokenBlacklistedOnVerifyError,
  TokenContext,
  TokenProblem,
  TokenRejectedError,
  UserInactiveError,
  UserInputError,
  UserNotFoundError,
} from './auth.errors';
export { REFRESH_TOKEN_PURGE_JOB, RefreshTokenPurgeCron } from './tokens/refresh-token-purge.cron';
export { TokenCodec } from './tokens/token-codec';
export { Credentials, TokenPair, TokensService } from './tokens/tokens.service';
export { AuthenticatedUser, ROLES, Role } from './users/user.entity';
export { ChangePasswordCommand, CreateUserCommand, RegisterUserCommand, UsersService } from './users/users.service';
