import { AppError } from '@app/common';
import { SessionCipher, SessionDiagnosis, SessionKeyRotation } from '@app/vinted';
import { SubCommand } from 'nest-commander';
import { when } from '../output/format';
import { CommandReport, ReportingCommand } from '../output/reporting-command';

/** Seed 002's `vinted:diagnostic`: decrypts each session and shows what is in it, never a token. */
@SubCommand({
  name: 'diagnostic',
  description: 'Decrypt every Vinted session and show its cookies (names only), expiries and status',
})
export class VintedDiagnosticCommand extends ReportingCommand {
  constructor(
    private readonly rotation: SessionKeyRotation,
    private readonly cipher: SessionCipher,
  ) {
    super();
  }

  protected async execute(): Promise<CommandReport> {
    const sessions = await this.rotation.diagnose();
    const unreadable = sessions.filter((session) => !session.readable).length;
    return {
      human: sessions.length === 0 ? ['No Vinted session is stored.'] : sessions.flatMap(describe),
      json: { sessions: sessions.map(toJson) },
      failure:
        unreadable > 0
          ? new AppError(
              'vinted_sessions_unreadable',
              this.cipher.configured
                ? `${unreadable} session(s) cannot be decrypted with the configured secret`
                : `${unreadable} session(s) cannot be decrypted: VINTED_CREDENTIALS_SECRET is not set`,
            )
          : undefined,
    };
  }
}

function describe(session: SessionDiagnosis): string[] {
  return [
    `Session of ${session.username}: ${session.status}`,
    `  key: ${session.keyId} (${session.readable ? 'decrypted' : `NOT readable: ${session.problem}`})`,
    ...(session.readable ? [`  cookies: ${session.cookieNames.join(', ')}`] : []),
    `  access token expires: ${when(session.accessExpiresAt)}`,
    `  refresh token expires: ${when(session.refreshExpiresAt)}`,
    `  last refresh: ${when(session.lastRefreshedAt)}, consecutive failures: ${session.consecutiveFailures}, next attempt: ${when(session.nextAttemptAt)}`,
    `  last error: ${session.lastError ?? '-'}`,
  ];
}

/** Named fields, not a spread: the JSON shape is documented, and a new field must be a choice. */
function toJson(session: SessionDiagnosis) {
  return {
    username: session.username,
    status: session.status,
    keyId: session.keyId,
    readable: session.readable,
    problem: session.problem ?? null,
    cookieNames: session.cookieNames,
    accessExpiresAt: session.accessExpiresAt,
    refreshExpiresAt: session.refreshExpiresAt,
    lastRefreshedAt: session.lastRefreshedAt,
    consecutiveFailures: session.consecutiveFailures,
    nextAttemptAt: session.nextAttemptAt,
    lastError: session.lastError,
  };
}
