export { applySetCookies, extractTokens, parseCookieString, serializeCookies } from './cookies/vinted-cookies';
export { SessionCipher } from './crypto/session-cipher';
export { VintedAuthService } from './http/vinted-auth.service';
export {
  DEFAULT_REFRESH_CONCURRENCY,
  SCHEDULER_ACTIONS,
  type SchedulerAction,
  type SchedulerView,
  TokenRefreshScheduler,
} from './scheduler/token-refresh-scheduler.service';
export { REFRESH_FAILURE_KINDS, type RefreshFailureKind } from './sessions/refresh-failure';
export { type SessionDiagnosis, SessionKeyRotation } from './sessions/session-key-rotation.service';
export { type SessionsReport, sessionsReport } from './sessions/sessions-report';
export { VINTED_SESSION_STATUSES, type VintedSessionStatus } from './sessions/vinted-session.entity';
export { VintedSessionManager } from './sessions/vinted-session-manager.service';
export { VintedCronModule } from './vinted-cron.module';
export { VintedModule } from './vinted.module';
