import { VINTED_SESSION_STATUSES } from './vinted-session.entity';
import { SessionDiagnosis } from './session-key-rotation.service';

/** Seed 002's `vinted:report` for the CLI and the admin API: counts by status, then each session's state, never a cookie. */
export interface SessionsReport {
  statuses: Record<string, number>;
  sessions: Array<
    Pick<
      SessionDiagnosis,
      'username' | 'status' | 'accessExpiresAt' | 'lastRefreshedAt' | 'consecutiveFailures' | 'lastError'
    >
  >;
}

export function sessionsReport(sessions: SessionDiagnosis[]): SessionsReport {
  return {
    statuses: Object.fromEntries(
      VINTED_SESSION_STATUSES.map((status) => [status, sessions.filter((s) => s.status === status).length]),
    ),
    sessions: sessions.map((s) => ({
      username: s.username,
      status: s.status,
      accessExpiresAt: s.accessExpiresAt,
      lastRefreshedAt: s.lastRefreshedAt,
      consecutiveFailures: s.consecutiveFailures,
      lastError: s.lastError,
    })),
  };
}
