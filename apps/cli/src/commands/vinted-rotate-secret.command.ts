import { AppError } from '@app/common';
import { SessionKeyRotation } from '@app/vinted';
import { CommandRunner, SubCommand } from 'nest-commander';
import { line } from './vinted-output';

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
export class VintedRotateSecretCommand extends CommandRunner {
  constructor(private readonly rotation: SessionKeyRotation) {
    super();
  }

  async run(): Promise<void> {
    const report = await this.rotation.rotate();
    line(
      `Re-encrypted ${report.reencrypted} session(s); ${report.upToDate} already used the current key; ${report.raced} were refreshed meanwhile (already current).`,
    );
    if (report.unreadable > 0) {
      throw new AppError(
        'vinted_sessions_unreadable',
        `${report.unreadable} session(s) use a key that is neither VINTED_CREDENTIALS_SECRET nor VINTED_CREDENTIALS_SECRET_PREVIOUS`,
      );
    }
  }
}
