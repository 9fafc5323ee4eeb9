import { DEFAULT_SWEEP_BATCH_SIZE, ExpirySweeper, SweepReport } from '@app/ledger';
import { SingleBar } from 'cli-progress';
import { Command, Option } from 'nest-commander';
import { CommandOutput } from '../output/command-output';
import { CommandReport, ReportingCommand } from '../output/reporting-command';

interface CleanupOptions {
  dryRun?: boolean;
}

/** Above one batch the sweep takes a while: show a progress bar on stderr (drawn only on a terminal). */
const PROGRESS_THRESHOLD = DEFAULT_SWEEP_BATCH_SIZE;

/** The seed's `cleanup_expired_tokens`: the same sweep as the API's cron, with its report. */
@Command({
  name: 'cleanup-expired-tokens',
  description: 'Release expired exchange tokens: restore their points and delete them',
})
export class CleanupExpiredTokensCommand extends ReportingCommand<CleanupOptions> {
  constructor(private readonly sweeper: ExpirySweeper) {
    super();
  }

  protected async execute(_args: string[], options: CleanupOptions, output: CommandOutput): Promise<CommandReport> {
    const dryRun = options.dryRun === true;
    const found = await this.sweeper.countExpired();
    if (dryRun) {
      output.announce('Dry run: nothing will be changed.');
    }
    output.announce(`Found ${found} expired tokens to clean up.`);
    const report = await this.sweep(dryRun, found);
    const verb = dryRun ? 'Points would be restored for' : 'Points restored for';
    return {
      human: [
        ...report.users.map((user) => `${verb} ${user.user}: +${user.points} points`),
        dryRun ? 'Dry run finished (nothing was changed):' : 'Cleanup finished:',
        `- ${report.tokens} tokens ${dryRun ? 'would be deleted' : 'deleted'}`,
        `- ${report.users.length} users affected`,
        `- ${report.points} points ${dryRun ? 'would be restored' : 'restored'} in total`,
      ],
      json: {
        dryRun,
        found,
        tokensDeleted: report.tokens,
        usersAffected: report.users.length,
        pointsRestored: report.points,
        users: report.users,
      },
    };
  }

  private async sweep(dryRun: boolean, found: number): Promise<SweepReport> {
    const bar =
      !dryRun && found > PROGRESS_THRESHOLD
        ? new SingleBar({
            stream: process.stderr,
            format: 'Releasing [{bar}] {percentage}% | {value}/{total} tokens | ETA {eta}s',
            // Off a terminal (CI logs, cron mail) a line every few seconds instead of redrawing.
            noTTYOutput: true,
            notTTYSchedule: 2000,
          })
        : undefined;
    bar?.start(found, 0);
    try {
      return await this.sweeper.sweep({
        trigger: 'cli',
        dryRun,
        onBatch: (done) => bar?.update(Math.min(done, found)),
      });
    } finally {
      bar?.stop();
    }
  }

  @Option({ flags: '--dry-run', description: 'Show what would be cleaned up; change nothing' })
  parseDryRun(): boolean {
    return true;
  }
}
