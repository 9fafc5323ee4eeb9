import { ExactHttpError } from '@app/common';

/** Why simplejwt refuses a token; the sentences are simplejwt's own (≥ 5.3). */
export type TokenProblem = 'Token is expired' | 'Token is invalid' | 'Token has wrong type' | 'Token is blacklisted';

/** simplejwt's authentication class and token views answer every 401 with this challenge. */
const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="api"' };

/** A token that cannot be used; services map it to the body of the endpoint at hand. */
export class TokenError extends Error {
  constructor(readonly problem: TokenProblem) {
    super(problem);
    this.name = 'TokenError';
  }
}

/** refresh / verify / blacklist: `{"detail":"Token is expired","code":"token_not_valid"}`. */
export function tokenNotValid(problem: TokenProblem): ExactHttpError {
  return new ExactHttpError(401, { detail: problem, code: 'token_not_valid' }, CHALLENGE);
}

/** A protected endpoint with a bad access token. */
export function accessTokenNotValid(problem: TokenProblem): ExactHttpError {
  return new ExactHttpError(
    401,
    {
      detail: 'Given token not valid for any token type',
      code: 'token_not_valid',
      messages: [{ token_class: 'AccessToken', token_type: 'access', message: problem }],
    },
    CHALLENGE,
  );
}

export function notAuthenticated(): ExactHttpError {
  return new ExactHttpError(401, { detail: 'Authentication credentials were not provided.' }, CHALLENGE);
}

export function badAuthorizationHeader(): ExactHttpError {
  return new ExactHttpError(
    401,
    { detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' },
    CHALLENGE,
  );
}

export function noActiveAccount(): ExactHttpError {
  return new ExactHttpError(401, { detail: 'No active account found with the given credentials' }, CHALLENGE);
}

/** Refresh for a user who was deactivated or deleted since (simplejwt ≥ 5.3). */
export function noActiveAccountForToken(): ExactHttpError {
  return new ExactHttpError(
    401,
    { detail: 'No active account found for the given token.', code: 'no_active_account' },
    CHALLENGE,
  );
}

export function userInactive(): ExactHttpError {
  return new ExactHttpError(401, { detail: 'User is inactive', code: 'user_inactive' }, CHALLENGE);
}

export function userNotFound(): ExactHttpError {
  return new ExactHttpError(401, { detail: 'User not found', code: 'user_not_found' }, CHALLENGE);
}

export function permissionDenied(): ExactHttpError {
  return new ExactHttpError(403, { detail: 'You do not have permission to perform this action.' });
}

/** verify of a rotated or logged-out refresh token: a validation error, not a 401. */
export function verifyBlacklisted(): ExactHttpError {
  return new ExactHttpError(400, { non_field_errors: ['Token is blacklisted'] });
}
