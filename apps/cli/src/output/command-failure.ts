import { AppError, exitOnStartupFailure } from '@app/common';

interface CommanderExit {
  code: string;
  exitCode: number;
}

function isCommanderExit(error: unknown): error is CommanderExit {
  return (
    typeof error === 'object' &&
    error !== null &&
    String((error as Partial<CommanderExit>).code).startsWith('commander.')
  );
}

/**
 * The CLI's only exit on failure. Commander has already printed help, a version or a usage error
 * and chosen its status; anything else is one line on stderr (`Error: …`, no stack for an
 * expected `AppError`) and exit status 1.
 */
export function exitOnCommandFailure(error: unknown): never {
  if (isCommanderExit(error)) {
    process.exit(error.exitCode);
  }
  return exitOnStartupFailure('Error', error);
}

/** A command group (`ledger`, `vinted`, …) run without its subcommand: an expected failure, so no stack. */
export function missingSubcommand(hint: string): AppError {
  return new AppError('missing_subcommand', `Missing subcommand: try \`${hint}\``);
}
