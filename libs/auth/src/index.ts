export { AuthCronModule } from './auth-cron.module';
export { AuthModule } from './auth.module';
export { FIELD_REQUIRED, FieldErrors, fieldErrors, requireStrings } from './drf/drf-validation';
export { ACCESS_POLICY, AccessPolicy, Authenticated, Public, Roles } from './guards/access-policy.decorators';
export { AuthenticatedRequest, CurrentUser, JwtAuthGuard, bearerToken } from './guards/jwt-auth.guard';
export {
  REFRESH_COOKIE_HEADERS,
  RefreshCookie,
  RefreshCookieRole,
  TokenCookieInterceptor,
} from './http/token-cookie.interceptor';
export { ACCESS_HEADER, CSRF_COOKIE, CSRF_HEADER, REFRESH_COOKIE, REFRESH_HEADER } from './http/token-cookies';
export { REFRESH_TOKEN_PURGE_JOB, RefreshTokenPurgeCron } from './tokens/refresh-token-purge.cron';
export { TokenClaims, TokenType, newClaims, readClaims } from './tokens/token-claims';
export { TokenCodec } from './tokens/token-codec';
export { TokenPair, TokensService } from './tokens/tokens.service';
export { TokenError, TokenProblem } from './tokens/simplejwt-errors';
export { hashToken } from './tokens/refresh-tokens.repository';
export { AuthenticatedUser, ROLES, Role } from './users/user.entity';
export { UserInputError } from './users/user-input';
export { CreateUserCommand, UsersService } from './users/users.service';
