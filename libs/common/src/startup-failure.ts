import { AppError } from './app-error';

/**
 * Ends a process that could not start: one line on stderr, exit status 1. A domain error (a
 * configuration or environment problem the user can fix) says only its message; anything else is
 * a bug and also gets its stack.
 */
export function exitOnStartupFailure(what: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error && !(error instanceof AppError) && error.stack ? `\n${error.stack}` : '';
  process.stderr.write(`${what}: ${message}${stack}\n`);
  process.exit(1);
}
