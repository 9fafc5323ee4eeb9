import { AppError } from '@app/common';
import { SessionKeyRotation } from '@app/vinted';
import { SubCommand } from 'nest-commander';
import { CommandReport, ReportingCommand } from '../output/reporting-command';

/**
 * After changing VINTED_CREDENTIALS_SECRET: run with the new secret and the old one in
 * VINTED_CREDENTIALS_SECRET_PREVIOUS; every session is re-encrypted under the new key, after
 * which the previous secret can be removed. Safe while the API runs (it reads both keys).
 */
@SubCommand({
  name: 'rotate-secret',
  description:
    'Re-encrypt every Vinted session with VINTED_CREDENTIALS_SECRET (old key: VINTED_CREDENTIALS_SECRET_PREVIOUS)',
})
export class VintedRotateSecretCommand extends ReportingCommand {
  constructor(private readonly rotation: SessionKeyRotation) {
    super();
  }

  protected async execute(): Promise<CommandReport> {
    const { reencrypted, upToDate, raced, unreadable } = await this.rotation.rotate();
    return {
      human: [
        `Re-encrypted ${reencrypted} session(s); ${upToDate} already used the current key; ${raced} were refreshed meanwhile (already current).`,
      ],
      json: { reencrypted, upToDate, raced, unreadable },
      failure:
        unreadable > 0
          ? new AppError(
              'vinted_sessions_unreadable',
              `${unreadable} session(s) use a key that is neither VINTED_CREDENTIALS_SECRET nor VINTED_CREDENTIALS_SECRET_PREVIOUS`,
            )
          : undefined,
    };
  }
}
