export {
  ACCESS_COOKIE,
  CookieJar,
  JwtClaims,
  REFRESH_COOKIE,
  SessionTokens,
  applySetCookies,
  extractTokens,
  jwtExpiry,
  parseCookieString,
  parseSetCookie,
  readJwtClaims,
  serializeCookies,
} from './cookies/vinted-cookies';
export { SessionCipher, SessionCipherError, deriveSessionKey } from './crypto/session-cipher';
export { REFRESH_PATH, RefreshOutcome, VintedAuthService, classifyRefreshResponse } from './http/vinted-auth.service';
export {
  FetchVintedHttpClient,
  VintedHttpClient,
  VintedHttpRequest,
  VintedHttpResponse,
  VintedNetworkError,
} from './http/vinted-http.client';
export { MAX_CONSECUTIVE_FAILURES, backoffDelayMs } from './scheduler/refresh-backoff';
export { TickCounts } from './scheduler/scheduler-state.repository';
export {
  DEFAULT_REFRESH_CONCURRENCY,
  InvalidSchedulerIntervalError,
  SCHEDULER_ACTIONS,
  SchedulerAction,
  SchedulerView,
  TickOptions,
  TickReport,
  TokenRefreshScheduler,
} from './scheduler/token-refresh-scheduler.service';
export { SCHEDULER_POLL_MS, TOKEN_REFRESH_POLL_JOB, TokenRefreshTickCron } from './scheduler/token-refresh-tick.cron';
export { RotationReport, SessionDiagnosis, SessionKeyRotation } from './sessions/session-key-rotation.service';
export { VINTED_SESSION_STATUSES, VintedSessionStatus } from './sessions/vinted-session.entity';
export {
  RefreshResult,
  TOKEN_REFRESH_MARGIN_MS,
  VintedSessionManager,
  VintedSessionView,
} from './sessions/vinted-session-manager.service';
export { StoredVintedSession, VintedSessionsRepository } from './sessions/vinted-sessions.repository';
export * from './vinted.errors';
export { VintedCronModule } from './vinted-cron.module';
export { VintedModule } from './vinted.module';
