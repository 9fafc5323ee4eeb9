/**
 * Base class of every domain error. `code` is a stable identifier clients can switch on;
 * `status` is the HTTP status the API maps it to (the one exception filter reads it).
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    /** Extra fields merged into the error body, e.g. `{ pointsRestored: 100 }`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
