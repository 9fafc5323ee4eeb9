import { AppError } from '@app/common';

/** Why a token is refused; the sentences are simplejwt's own (≥ 5.3), which clients compare. */
export type TokenProblem = 'Token is expired' | 'Token is invalid' | 'Token has wrong type' | 'Token is blacklisted';

/**
 * A token that cannot be used, as the codec finds it (signature, `exp`, type). Internal to the
 * lib: services turn it into a `TokenRejectedError` naming where the token was presented.
 */
export class TokenError extends Error {
  constructor(readonly problem: TokenProblem) {
    super(problem);
    this.name = 'TokenError';
  }
}

/** Every refusal of the auth lib; the API maps each class to simplejwt's exact answer. */
export abstract class AuthError extends AppError {}

/**
 * Where a refused token was presented: in the body of a token view (refresh, verify, blacklist)
 * or as the Bearer access token of a protected request. simplejwt answers the two differently.
 */
export type TokenContext = 'token_view' | 'authentication';

export class TokenRejectedError extends AuthError {
  constructor(
    readonly problem: TokenProblem,
    readonly context: TokenContext,
  ) {
    super('token_not_valid', problem, 401);
  }
}

/**
 * Obtain with a wrong username or password, or for an inactive account (indistinguishable on
 * purpose). The code is simplejwt's (`AuthenticationFailed(…, "no_active_account")`).
 */
export class InvalidCredentialsError extends AuthError {
  constructor() {
    super('no_active_account', 'No active account found with the given credentials', 401);
  }
}

/** Refresh for a user who was deactivated or deleted since the token was issued. */
export class NoActiveAccountError extends AuthError {
  constructor() {
    super('no_active_account', 'No active account found for the given token.', 401);
  }
}

/** A valid access token of a deactivated user. */
export class UserInactiveError extends AuthError {
  constructor() {
    super('user_inactive', 'User is inactive', 401);
  }
}

/** A valid access token of a deleted user. */
export class UserNotFoundError extends AuthError {
  constructor() {
    super('user_not_found', 'User not found', 401);
  }
}

/**
 * A stream ticket that opens nothing: unknown, used, expired, voided by a revoke-all, or issued for
 * another stream. One answer for all, so a ticket reveals nothing about why it failed.
 */
export class StreamTicketRejectedError extends AuthError {
  constructor() {
    super('ticket_not_valid', 'This stream ticket is invalid, expired or already used: request a new one.', 401);
  }
}

/** Verify of a rotated or logged-out refresh token: simplejwt calls it a validation error. */
export class TokenBlacklistedOnVerifyError extends AuthError {
  constructor() {
    super('token_blacklisted', 'Token is blacklisted', 400);
  }
}

/** Field errors the way DRF names them: `{"password": ["This field is required."]}`. */
export type FieldErrors = Record<string, string[]>;

/** Invalid account data; `message` is one line naming every field (the CLI prints it). */
export class UserInputError extends AuthError {
  constructor(readonly errors: FieldErrors) {
    super(
      'invalid',
      Object.entries(errors)
        .map(([field, messages]) => `${field}: ${messages.join(' ')}`)
        .join('; '),
      400,
    );
  }
}
