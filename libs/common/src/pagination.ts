import { AppError } from './app-error';

/**
 * Cursor pagination, the API's one convention (`?limit=&cursor=`, answers with `nextCursor`, null
 * on the last page): the ledger's journal, the exchange-token history, the WhatsApp numbers.
 */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** `?limit=&cursor=`: the page size (1 to MAX_PAGE_SIZE, else DEFAULT_PAGE_SIZE) and the previous page's `nextCursor`. */
export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** Opaque cursors: base64url of a small JSON object, validated on the way back in. */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Falls through: any undecodable cursor is the same client error.
  }
  throw new InvalidCursorError();
}

/** A positive safe integer read from a cursor field (a row id or sequence number). */
export function cursorInteger(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) {
    return value;
  }
  throw new InvalidCursorError();
}

export function pageSize(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
}

/** A cursor this API did not hand out (or one of another endpoint). */
export class InvalidCursorError extends AppError {
  constructor() {
    super('invalid_cursor', 'The cursor is not one this endpoint returned.', 400);
  }
}
