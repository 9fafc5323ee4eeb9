import {
  SchedulerView,
  SessionDiagnosis,
  SessionKeyRotation,
  TokenRefreshScheduler,
  sessionsReport,
} from '@app/vinted';
import { SubCommand } from 'nest-commander';
import { table, when } from '../output/format';
import { CommandReport, ReportingCommand } from '../output/reporting-command';

/** Seed 002's `vinted:report`: sessions by status, then one row per session, then the scheduler. */
@SubCommand({ name: 'report', description: 'A table of the Vinted sessions by status, last refresh and failures' })
export class VintedReportCommand extends ReportingCommand {
  constructor(
    private readonly rotation: SessionKeyRotation,
    private readonly scheduler: TokenRefreshScheduler,
  ) {
    super();
  }

  protected async execute(): Promise<CommandReport> {
    const sessions = await this.rotation.diagnose();
    const scheduler = await this.scheduler.view();
    const report = sessionsReport(sessions);
    return {
      human: [
        table(
          ['status', 'sessions'],
          Object.entries(report.statuses).map(([status, count]) => [status, String(count)]),
        ),
        '',
        ...(sessions.length > 0 ? [sessionTable(sessions), ''] : []),
        schedulerLine(scheduler),
      ],
      json: {
        ...report,
        scheduler,
      },
    };
  }
}

function sessionTable(sessions: SessionDiagnosis[]): string {
  const rows = sessions.map((s) => [
    s.username,
    s.status,
    when(s.accessExpiresAt),
    when(s.lastRefreshedAt),
    String(s.consecutiveFailures),
    s.lastError ?? '-',
  ]);
  return table(['user', 'status', 'access token expires', 'last refresh', 'failures', 'last error'], rows);
}

function schedulerLine(state: SchedulerView): string {
  const lastRun = state.lastRun
    ? `${state.lastRun.checked} checked, ${state.lastRun.refreshed} refreshed, ${state.lastRun.failed} failed`
    : 'never ran';
  return `Scheduler: ${state.isActive ? 'active' : 'stopped'}, every ${state.intervalMinutes} min; last run ${when(state.lastRunAt)} (${lastRun}); next run ${when(state.nextRunAt)}`;
}
