import { AppError } from '@app/common';
import { isDatabaseUnavailable } from '@app/database';
import { CLI_NAME } from '../cli-name';

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

/** undefined_table: a statement met a schema that lacks a migration (the CLI checks before a command, see `CliProgram`). */
const UNDEFINED_TABLE = '42P01';

/**
 * The failures a user can act on, as the one line to show: a domain error (bad input, an unknown
 * user, a database the CLI cannot use, migrations a server still needs), a table that is not
 * there, a server lost in the middle of a command. Anything else is a bug: `undefined`.
 */
function expectedFailure(error: unknown): AppError | undefined {
  if (error instanceof AppError) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  if ((error as { code?: unknown } | null)?.code === UNDEFINED_TABLE) {
    return new AppError(
      'schema_missing',
      `${message}: the database schema lacks a table its migrations create ` +
        `(\`${CLI_NAME} migrate\` applies any pending one; a table dropped by hand must be restored)`,
    );
  }
  if (isDatabaseUnavailable(error)) {
    return new AppError('database_unavailable', `the database stopped answering during the command (${message})`);
  }
  return undefined;
}

/**
 * What the CLI prints on stderr for a failure: `Error: <message>` on one line. Only a bug (not an
 * expected failure) has a stack, and only with LOG_LEVEL=debug; without it the line says so.
 */
export function failureText(error: unknown, debug: boolean): string {
  const expected = expectedFailure(error);
  if (expected !== undefined) {
    return `Error: ${expected.message}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (debug && error instanceof Error && error.stack !== undefined) {
    return `Error: ${message}\n${error.stack}`;
  }
  return `Error: ${message} (unexpected; LOG_LEVEL=debug prints its stack trace)`;
}

/**
 * The CLI's only exit on failure. Commander has already printed help, a version or a usage error
 * and chosen its status; anything else is `failureText` on stderr and exit status 1. `debug`:
 * LOG_LEVEL is `debug` or `trace`.
 */
export function exitOnCommandFailure(debug: boolean): (error: unknown) => never {
  return (error) => {
    if (isCommanderExit(error)) {
      process.exit(error.exitCode);
    }
    process.stderr.write(`${failureText(error, debug)}\n`);
    process.exit(1);
  };
}
