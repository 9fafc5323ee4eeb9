import { AppError } from '@app/common';

/** Largest amount a single grant or token may carry: PostgreSQL's `integer`, i.e. 2^31 - 1. */
export const MAX_POINTS = 2_147_483_647;

/** Points that are not a positive integer up to MAX_POINTS (for callers that bypass the HTTP DTOs, e.g. the CLI). */
export class InvalidPointsError extends AppError {
  constructor() {
    const message = `Points must be a positive integer no greater than ${MAX_POINTS}.`;
    super('invalid', `Invalid input - points: ${message}`, 400, { errors: { points: [message] } });
  }
}

export class InsufficientPointsError extends AppError {
  constructor(available: number, requested: number) {
    super('insufficient_points', `Not enough points: ${available} available, ${requested} requested.`, 409, {
      available,
      requested,
    });
  }
}

export class UnknownUserError extends AppError {
  constructor(username: string) {
    super('user_not_found', `No user is named "${username}".`, 404);
  }
}

export class TokenNotFoundError extends AppError {
  constructor() {
    super('token_not_found', 'No exchange token matches this value.', 404);
  }
}

export class TokenAlreadyUsedError extends AppError {
  constructor() {
    super('token_already_used', 'This exchange token has already been used.', 409);
  }
}

export class TokenExpiredError extends AppError {
  constructor(pointsRestored: number) {
    super(
      'token_expired',
      `This exchange token has expired; its ${pointsRestored} points were returned to the customer.`,
      410,
      {
        pointsRestored,
      },
    );
  }
}

export class InvalidIdempotencyKeyError extends AppError {
  constructor() {
    super('invalid_idempotency_key', 'The Idempotency-Key header must be 1 to 255 visible ASCII characters.', 400);
  }
}

export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body.', 422);
  }
}

/** `ledger verify` found accounts whose balances disagree with the journal or the live tokens. */
export class LedgerDriftError extends AppError {
  constructor(problems: number) {
    super('ledger_drift', `Ledger drift: ${problems} problem(s) found.`, 500);
  }
}
