import { AppError } from '@app/common';
import { AppConfig } from '@app/config';
import { VintedSessionManager } from '@app/vinted';
import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { line, when } from './vinted-output';

/** Seed 002's `vinted:test-refresh`: one refresh now (back-off or not), and what came of it. */
@SubCommand({
  name: 'test-refresh',
  description: "Refresh a user's Vinted session now (default: the admin) and report",
})
export class VintedTestRefreshCommand extends CommandRunner {
  constructor(
    private readonly sessions: VintedSessionManager,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(_args: string[], options: { username?: string }): Promise<void> {
    const userId = await this.sessions.userIdFor(options.username, this.config.ADMIN_USERNAME);
    const { result, session } = await this.sessions.refreshNow(userId);
    line(`Refresh: ${result}`);
    line(
      `Status: ${session.status}, access token expires ${when(session.expiresAt)}, last refresh ${when(session.lastRefreshedAt)}`,
    );
    if (result !== 'refreshed' && result !== 'joined') {
      throw new AppError('vinted_refresh_failed', `refresh failed (${session.lastError ?? result})`);
    }
  }

  @Option({
    flags: '--username <username>',
    description: 'The account (default: ADMIN_USERNAME, else the first admin)',
  })
  parseUsername(value: string): string {
    return value;
  }
}
