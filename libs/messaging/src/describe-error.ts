import { redactedMessage } from '@app/common';

/**
 * A one-line reason for logs: Error messages (a failed query's values redacted) and Nest's
 * `{ status, message }` RPC errors alike.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    return redactedMessage(error);
  }
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return String(error);
}
