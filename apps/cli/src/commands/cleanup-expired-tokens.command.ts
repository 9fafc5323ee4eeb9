import { DEFAULT_SWEEP_BATCH_SIZE, ExpirySweeper, SweepReport } from '@app/ledger';
import { SingleBar } from 'cli-progress';
import { Command, CommandRunner, Option } from 'nest-commander';

interface CleanupOptions {
  dryRun?: boolean;
  json?: boolean;
}

/** Above one batch the sweep takes a while: show a progress bar on stderr (drawn only on a terminal). */
const PROGRESS_THRESHOLD = DEFAULT_SWEEP_BATCH_SIZE;

/** The seed's `cleanup_expired_tokens`: the same sweep as the API's cron, with its report. */
@Command({
  name: 'cleanup-expired-tokens',
  description: 'Release expired exchange tokens: restore their points and delete them',
})
export class CleanupExpiredTokensCommand extends CommandRunner {
  constructor(private readonly sweeper: ExpirySweeper) {
    super();
  }

  async run(_args: string[], options: CleanupOptions): Promise<void> {
    const dryRun = options.dryRun === true;
    const found = await this.sweeper.countExpired();
    const out = (line: string) => {
      if (options.json !== true) {
        process.stdout.write(`${line}\n`);
      }
    };
    if (dryRun) {
      out('Dry run: nothing will be changed.');
    }
    out(`Found ${found} expired tokens to clean up.`);
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
    let report: SweepReport;
    try {
      report = await this.sweeper.sweep({
        trigger: 'cli',
        dryRun,
        onBatch: (done) => bar?.update(Math.min(done, found)),
      });
    } finally {
      bar?.stop();
    }
    if (options.json === true) {
      process.stdout.write(
        `${JSON.stringify({ dryRun, found, tokensDeleted: report.tokens, usersAffected: report.users.length, pointsRestored: report.points, users: report.users })}\n`,
      );
      return;
    }
    const verb = dryRun ? 'Points would be restored for' : 'Points restored for';
    report.users.forEach((user) => out(`${verb} ${user.user}: +${user.points} points`));
    out(dryRun ? 'Dry run finished (nothing was changed):' : 'Cleanup finished:');
    out(`- ${report.tokens} tokens ${dryRun ? 'would be deleted' : 'deleted'}`);
    out(`- ${report.users.length} users affected`);
    out(`- ${report.points} points ${dryRun ? 'would be restored' : 'restored'} in total`);
  }

  @Option({ flags: '--dry-run', description: 'Show what would be cleaned up; change nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--json', description: 'Print the report as one JSON object' })
  parseJson(): boolean {
    return true;
  }
}
