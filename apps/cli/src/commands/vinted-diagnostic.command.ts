import { AppError } from '@app/common';
import { SessionKeyRotation } from '@app/vinted';
import { CommandRunner, SubCommand } from 'nest-commander';
import { line, when } from './vinted-output';

/** Seed 002's `vinted:diagnostic`: decrypts each session and shows what is in it, never a token. */
@SubCommand({
  name: 'diagnostic',
  description: 'Decrypt every Vinted session and show its cookies (names only), expiries and status',
})
export class VintedDiagnosticCommand extends CommandRunner {
  constructor(private readonly rotation: SessionKeyRotation) {
    super();
  }

  async run(): Promise<void> {
    const sessions = await this.rotation.diagnose();
    if (sessions.length === 0) {
      line('No Vinted session is stored.');
      return;
    }
    for (const session of sessions) {
      line(`Session of ${session.username}: ${session.status}`);
      line(`  key: ${session.keyId} (${session.readable ? 'decrypted' : `NOT readable: ${session.problem}`})`);
      if (session.readable) {
        line(`  cookies: ${session.cookieNames.join(', ')}`);
      }
      line(`  access token expires: ${when(session.accessExpiresAt)}`);
      line(`  refresh token expires: ${when(session.refreshExpiresAt)}`);
      line(
        `  last refresh: ${when(session.lastRefreshedAt)}, consecutive failures: ${session.consecutiveFailures}, next attempt: ${when(session.nextAttemptAt)}`,
      );
      line(`  last error: ${session.lastError ?? '-'}`);
    }
    const unreadable = sessions.filter((session) => !session.readable).length;
    if (unreadable > 0) {
      throw new AppError(
        'vinted_sessions_unreadable',
        `${unreadable} session(s) cannot be decrypted with the configured secret`,
      );
    }
  }
}
