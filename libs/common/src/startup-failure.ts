import { AppError } from './app-error';

/**
 * Why a process could not start, as the text after "<what> failed to start: ". A domain error (a
 * configuration or environment problem the user can fix: a port in use, a database to create) is
 * its message. Anything else is a bug: its message and, only when `debug` (LOG_LEVEL debug or
 * trace), its stack; without it the line says how to get the stack. The CLI's rule too.
 */
export function startupFailureText(error: unknown, debug: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AppError) {
    return message;
  }
  if (debug && error instanceof Error && error.stack !== undefined) {
    return `${message}\n${error.stack}`;
  }
  return `${message} (unexpected; LOG_LEVEL=debug prints its stack trace)`;
}

/**
 * Ends a process that could not start: `<what>: <why>` on stderr (one line, see
 * `startupFailureText`), exit status 1.
 */
export function exitOnStartupFailure(what: string, error: unknown, debug: boolean): never {
  process.stderr.write(`${what}: ${startupFailureText(error, debug)}\n`);
  process.exit(1);
}
