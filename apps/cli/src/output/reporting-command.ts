import { AppError } from '@app/common';
import { CommandRunner, Option } from 'nest-commander';
import { CommandOutput } from './command-output';

/** What a command found or did: the report for a person, the same as one JSON value, and whether it failed. */
export interface CommandReport {
  human: readonly string[];
  json: unknown;
  /**
   * A report can describe a failure (drift, a failed check, an unreadable session): it is printed
   * in full, then this error gives the one line on stderr and exit status 1.
   */
  failure?: AppError;
}

export interface OutputOptions {
  json?: boolean;
}

/**
 * Base of every command that reports. The subclass adapts one lib call into a `CommandReport`;
 * this class owns `--json`, prints the report and turns a failed report into the exit status
 * (`exitOnCommandFailure` prints the error in one line and exits 1).
 */
export abstract class ReportingCommand<Options extends object = object> extends CommandRunner {
  async run(args: string[], options: Options & OutputOptions): Promise<void> {
    // The command sees only its own options: they often go straight into a lib call.
    const { json, ...own } = options;
    const output = new CommandOutput(json === true);
    const report = await this.execute(args, own as Options, output);
    output.report(report.human, report.json);
    if (report.failure) {
      throw report.failure;
    }
  }

  /** Does the work; `output` is only for `announce` before a long step. */
  protected abstract execute(args: string[], options: Options, output: CommandOutput): Promise<CommandReport>;

  @Option({ flags: '--json', description: 'Print the report as one JSON object on one line' })
  parseJson(): boolean {
    return true;
  }
}
