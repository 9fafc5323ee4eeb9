import { AppError } from '@app/common';
import { AppConfig } from '@app/config';
import { SchedulerView, SessionCipher, SessionKeyRotation, TokenRefreshScheduler } from '@app/vinted';
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
        // No interval here: the scheduler's own, in the database, is the one in use (see the scheduler line).
        detail: `VINTED_BASE_URL=${this.config.VINTED_BASE_URL}, auto refresh ${this.config.VINTED_AUTO_REFRESH_ENABLED ? 'enabled' : 'disabled'}`,
      },
      this.cipher.configured
        ? { name: 'secret', ok: true, detail: `VINTED_CREDENTIALS_SECRET is set (key ${this.cipher.currentKeyId})` }
        : {
            name: 'secret',
            ok: false,
            detail: 'VINTED_CREDENTIALS_SECRET is not set, sessions are requires_configuration',
          },
    ];
    const { checks: databaseChecks, scheduler } = await this.databaseChecks();
    checks.push(...databaseChecks);
    const failed = checks.filter((check) => !check.ok).length;
    const lines = checks.map((check) => `${check.ok ? '[ok]  ' : '[FAIL]'} ${check.name}: ${check.detail}`);
    return {
      human: failed > 0 ? lines : [...lines, `All ${checks.length} checks passed.`],
      json: { ok: failed === 0, checks, scheduler: scheduler ?? null },
      failure:
        failed > 0 ? new AppError('verify_failed', `${failed} of ${checks.length} Vinted check(s) failed`) : undefined,
    };
  }

  /** The checks that read the database, and the scheduler's state when it could be read. */
  private async databaseChecks(): Promise<{ checks: Check[]; scheduler?: SchedulerView }> {
    try {
      const sessions = await this.rotation.diagnose();
      const unreadable = sessions.filter((session) => !session.readable).length;
      const scheduler = await this.scheduler.view();
      const checks: Check[] = [
        { name: 'database', ok: true, detail: `reachable, ${sessions.length} Vinted session(s) stored` },
        unreadable === 0
          ? { name: 'sessions', ok: true, detail: `all ${sessions.length} readable with the configured secret` }
          : { name: 'sessions', ok: false, detail: `${unreadable} cannot be decrypted (run \`vinted diagnostic\`)` },
        this.schedulerCheck(scheduler),
      ];
      return { checks, scheduler };
    } catch (error) {
      return {
        checks: [{ name: 'database', ok: false, detail: error instanceof Error ? error.message : String(error) }],
      };
    }
  }

  /**
   * The interval the scheduler uses is the one in its database state (an admin's start or
   * restart sets it); VINTED_TOKEN_REFRESH_INTERVAL_MINUTES is only the first one it was given.
   */
  private schedulerCheck(state: SchedulerView): Check {
    const configured = this.config.VINTED_TOKEN_REFRESH_INTERVAL_MINUTES;
    const origin =
      state.intervalMinutes === configured
        ? ''
        : `; the interval set in the database, not VINTED_TOKEN_REFRESH_INTERVAL_MINUTES=${configured}`;
    return state.isActive
      ? {
          name: 'scheduler',
          ok: true,
          detail: `active, every ${state.intervalMinutes} min, next run ${when(state.nextRunAt)}${origin}`,
        }
      : {
          name: 'scheduler',
          ok: false,
          detail: `stopped, interval ${state.intervalMinutes} min (start it with POST /api/v1/vinted/scheduler {"action":"start"})${origin}`,
        };
  }
}
