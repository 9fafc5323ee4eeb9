import { AppError } from '@app/common';
import { AppConfig } from '@app/config';
import { VintedSessionManager } from '@app/vinted';
import { Option, SubCommand } from 'nest-commander';
import { when } from '../output/format';
import { CommandReport, ReportingCommand } from '../output/reporting-command';

interface TestRefreshOptions {
  username?: string;
}

/** Seed 002's `vinted:test-refresh`: one refresh now (back-off or not), and what came of it. */
@SubCommand({
  name: 'test-refresh',
  description: "Refresh a user's Vinted session now (default: the admin) and report",
})
export class VintedTestRefreshCommand extends ReportingCommand<TestRefreshOptions> {
  constructor(
    private readonly sessions: VintedSessionManager,
    private readonly config: AppConfig,
  ) {
    super();
  }

  protected async execute(_args: string[], options: TestRefreshOptions): Promise<CommandReport> {
    const userId = await this.sessions.userIdFor(options.username, this.config.ADMIN_USERNAME);
    const { result, session } = await this.sessions.refreshNow(userId);
    const { status, expiresAt, lastRefreshedAt, lastError, consecutiveFailures, nextAttemptAt } = session;
    return {
      human: [
        `Refresh: ${result}`,
        `Status: ${status}, access token expires ${when(expiresAt)}, last refresh ${when(lastRefreshedAt)}`,
      ],
      json: {
        userId,
        result,
        session: { status, expiresAt, lastRefreshedAt, lastError, consecutiveFailures, nextAttemptAt },
      },
      failure:
        result === 'refreshed' || result === 'joined'
          ? undefined
          : new AppError('vinted_refresh_failed', `refresh failed (${lastError ?? result})`),
    };
  }

  @Option({
    flags: '--username <username>',
    description: 'The account (default: ADMIN_USERNAME, else the first admin)',
  })
  parseUsername(value: string): string {
    return value;
  }
}
