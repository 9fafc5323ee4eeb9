import { AppError } from '@app/common';
import { AppConfig } from '@app/config';
import { SessionCipher, SessionKeyRotation, TokenRefreshScheduler } from '@app/vinted';
import { SubCommand } from 'nest-commander';
import { when } from '../output/format';
import { CommandReport, ReportingCommand } from '../output/reporting-command';

/** One line of the report: `[ok]   <name>: <detail>` or `[FAIL] <name>: <detail>`. */
interface Check {
  name: 'configuration' | 'secret' | 'database' | 'sessions' | 'scheduler';
  ok: boolean;
  detail: string;
}

/** Seed 002's `vinted:verify`: one line per check, exit 1 if any fails. */
@SubCommand({ name: 'verify', description: 'Check the Vinted configuration, secret, database and scheduler' })
export class VintedVerifyCommand extends ReportingCommand {
  constructor(
    private readonly config: AppConfig,
    private readonly cipher: SessionCipher,
    private readonly rotation: SessionKeyRotation,
    private readonly scheduler: TokenRefreshScheduler,
  ) {
    super();
  }

  protected async execute(): Promise<CommandReport> {
    const checks: Check[] = [
      {
        name: 'configuration',
        ok: true,
        detail: `VINTED_BASE_URL=${this.config.VINTED_BASE_URL}, auto refresh ${this.config.VINTED_AUTO_REFRESH_ENABLED ? 'enabled' : 'disabled'}, interval ${this.config.VINTED_TOKEN_REFRESH_INTERVAL_MINUTES} min`,
      },
      this.cipher.configured
        ? { name: 'secret', ok: true, detail: `VINTED_CREDENTIALS_SECRET is set (key ${this.cipher.currentKeyId})` }
        : {
            name: 'secret',
            ok: false,
            detail: 'VINTED_CREDENTIALS_SECRET is not set, sessions are requires_configuration',
          },
      ...(await this.databaseChecks()),
    ];
    const failed = checks.filter((check) => !check.ok).length;
    const lines = checks.map((check) => `${check.ok ? '[ok]  ' : '[FAIL]'} ${check.name}: ${check.detail}`);
    return {
      human: failed > 0 ? lines : [...lines, `All ${checks.length} checks passed.`],
      json: { ok: failed === 0, checks },
      failure:
        failed > 0 ? new AppError('verify_failed', `${failed} of ${checks.length} Vinted check(s) failed`) : undefined,
    };
  }

  private async databaseChecks(): Promise<Check[]> {
    try {
      const sessions = await this.rotation.diagnose();
      const unreadable = sessions.filter((session) => !session.readable).length;
      const state = await this.scheduler.view();
      return [
        { name: 'database', ok: true, detail: `reachable, ${sessions.length} Vinted session(s) stored` },
        unreadable === 0
          ? { name: 'sessions', ok: true, detail: `all ${sessions.length} readable with the configured secret` }
          : { name: 'sessions', ok: false, detail: `${unreadable} cannot be decrypted (run \`vinted diagnostic\`)` },
        state.isActive
          ? {
              name: 'scheduler',
              ok: true,
              detail: `active, every ${state.intervalMinutes} min, next run ${when(state.nextRunAt)}`,
            }
          : {
              name: 'scheduler',
              ok: false,
              detail: 'stopped (start it with POST /api/v1/vinted/scheduler {"action":"start"})',
            },
      ];
    } catch (error) {
      return [{ name: 'database', ok: false, detail: error instanceof Error ? error.message : String(error) }];
    }
  }
}
