export { AuthCronModule } from './auth-cron.module';
export { AuthModule } from './auth.module';
export {
  AuthError,
  FieldErrors,
  InvalidCredentialsError,
  NoActiveAccountError,
  StreamTicketRejectedError,
  TokenBlacklistedOnVerifyError,
  TokenProblem,
  TokenRejectedError,
  UserInactiveError,
  UserInputError,
  UserNotFoundError,
} from './auth.errors';
export { AttemptAdmission, CredentialAttempt, CredentialThrottleService } from './throttle/credential-throttle.service';
export {
  type IssuedStreamTicket,
  STREAM_TICKET_TTL_MS,
  StreamTicketsService,
} from './stream-tickets/stream-tickets.service';
export { AttemptSubject, ThrottledAction } from './throttle/throttle-plans';
export { TokenCodec } from './tokens/token-codec';
export { Credentials, TokenPair, TokensService } from './tokens/tokens.service';
export { AuthenticatedUser, ROLES, Role } from './users/user.entity';
export { UsersService } from './users/users.service';
