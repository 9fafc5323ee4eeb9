import { SessionKeyRotation, TokenRefreshScheduler, VINTED_SESSION_STATUSES } from '@app/vinted';
import { CommandRunner, SubCommand } from 'nest-commander';
import { line, table, when } from './vinted-output';

/** Seed 002's `vinted:report`: sessions by status, then one row per session, then the scheduler. */
@SubCommand({ name: 'report', description: 'A table of the Vinted sessions by status, last refresh and failures' })
export class VintedReportCommand extends CommandRunner {
  constructor(
    private readonly rotation: SessionKeyRotation,
    private readonly scheduler: TokenRefreshScheduler,
  ) {
    super();
  }

  async run(): Promise<void> {
    const sessions = await this.rotation.diagnose();
    line(
      table(
        ['status', 'sessions'],
        VINTED_SESSION_STATUSES.map((status) => [status, String(sessions.filter((s) => s.status === status).length)]),
      ),
    );
    line();
    if (sessions.length > 0) {
      const rows = sessions.map((s) => [
        s.username,
        s.status,
        when(s.accessExpiresAt),
        when(s.lastRefreshedAt),
        String(s.consecutiveFailures),
        s.lastError ?? '-',
      ]);
      line(table(['user', 'status', 'access token expires', 'last refresh', 'failures', 'last error'], rows));
      line();
    }
    const state = await this.scheduler.view();
    const lastRun = state.lastRun
      ? `${state.lastRun.checked} checked, ${state.lastRun.refreshed} refreshed, ${state.lastRun.failed} failed`
      : 'never ran';
    line(
      `Scheduler: ${state.isActive ? 'active' : 'stopped'}, every ${state.intervalMinutes} min; last run ${when(state.lastRunAt)} (${lastRun}); next run ${when(state.nextRunAt)}`,
    );
  }
}
