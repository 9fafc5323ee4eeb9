import { AppError } from '@app/common';
import { AppConfig } from '@app/config';
import { SessionCipher, SessionKeyRotation, TokenRefreshScheduler } from '@app/vinted';
import { CommandRunner, SubCommand } from 'nest-commander';
import { line, when } from './vinted-output';

interface Check {
  ok: boolean;
  text: string;
}

/** Seed 002's `vinted:verify`: one line per check, exit 1 if any fails. */
@SubCommand({ name: 'verify', description: 'Check the Vinted configuration, secret, database and scheduler' })
export class VintedVerifyCommand extends CommandRunner {
  constructor(
    private readonly config: AppConfig,
    private readonly cipher: SessionCipher,
    private readonly rotation: SessionKeyRotation,
    private readonly scheduler: TokenRefreshScheduler,
  ) {
    super();
  }

  async run(): Promise<void> {
    const checks: Check[] = [
      {
        ok: true,
        text: `configuration: VINTED_BASE_URL=${this.config.VINTED_BASE_URL}, auto refresh ${this.config.VINTED_AUTO_REFRESH_ENABLED ? 'enabled' : 'disabled'}, interval ${this.config.VINTED_TOKEN_REFRESH_INTERVAL_MINUTES} min`,
      },
      this.cipher.configured
        ? { ok: true, text: `secret: VINTED_CREDENTIALS_SECRET is set (key ${this.cipher.currentKeyId})` }
        : { ok: false, text: 'secret: VINTED_CREDENTIALS_SECRET is not set, sessions are requires_configuration' },
      ...(await this.databaseChecks()),
    ];
    for (const check of checks) {
      line(`${check.ok ? '[ok]  ' : '[FAIL]'} ${check.text}`);
    }
    const failed = checks.filter((check) => !check.ok).length;
    if (failed > 0) {
      throw new AppError('verify_failed', `${failed} of ${checks.length} Vinted check(s) failed`);
    }
    line(`All ${checks.length} checks passed.`);
  }

  private async databaseChecks(): Promise<Check[]> {
    try {
      const sessions = await this.rotation.diagnose();
      const unreadable = sessions.filter((session) => !session.readable).length;
      const state = await this.scheduler.view();
      return [
        { ok: true, text: `database: reachable, ${sessions.length} Vinted session(s) stored` },
        unreadable === 0
          ? { ok: true, text: `sessions: all ${sessions.length} readable with the configured secret` }
          : { ok: false, text: `sessions: ${unreadable} cannot be decrypted (run \`vinted diagnostic\`)` },
        state.isActive
          ? {
              ok: true,
              text: `scheduler: active, every ${state.intervalMinutes} min, next run ${when(state.nextRunAt)}`,
            }
          : { ok: false, text: 'scheduler: stopped (start it with POST /api/v1/vinted/scheduler {"action":"start"})' },
      ];
    } catch (error) {
      return [{ ok: false, text: `database: ${error instanceof Error ? error.message : String(error)}` }];
    }
  }
}
