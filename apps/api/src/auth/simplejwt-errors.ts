import {
  AuthError,
  InvalidCredentialsError,
  NoActiveAccountError,
  StreamTicketRejectedError,
  TokenBlacklistedOnVerifyError,
  TokenProblem,
  TokenRejectedError,
  UserInactiveError,
  UserInputError,
  UserNotFoundError,
} from '@app/auth';
import { ExactHttpError } from '../http/exact-http-error';

/** simplejwt's authentication class and token views answer every 401 with this challenge. */
const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="api"' };

/**
 * The wire format of the auth lib's refusals: simplejwt's (≥ 5.3) exact bodies and headers, and
 * DRF's field map for invalid input. Used by the exception filter, the one place errors become HTTP.
 */
export function simplejwtAnswer(error: AuthError): ExactHttpError {
  if (error instanceof TokenRejectedError) {
    return error.context === 'authentication' ? accessTokenNotValid(error.problem) : tokenNotValid(error.problem);
  }
  if (error instanceof TokenBlacklistedOnVerifyError) {
    return new ExactHttpError(400, { non_field_errors: [error.message] });
  }
  if (error instanceof UserInputError) {
    return new ExactHttpError(400, error.errors);
  }
  if (
    error instanceof InvalidCredentialsError ||
    error instanceof NoActiveAccountError ||
    error instanceof UserInactiveError ||
    error instanceof UserNotFoundError ||
    error instanceof StreamTicketRejectedError
  ) {
    return new ExactHttpError(401, { detail: error.message, code: error.code }, CHALLENGE);
  }
  return new ExactHttpError(error.status, { detail: error.message, code: error.code });
}

/** refresh / verify / blacklist: `{"detail":"Token is expired","code":"token_not_valid"}`. */
function tokenNotValid(problem: TokenProblem): ExactHttpError {
  return new ExactHttpError(401, { detail: problem, code: 'token_not_valid' }, CHALLENGE);
}

/** A protected endpoint with a bad access token. */
function accessTokenNotValid(problem: TokenProblem): ExactHttpError {
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

/**
 * A protected endpoint without a Bearer token (none, or another scheme): DRF's `NotAuthenticated`
 * sentence, with the `code` DRF gives it (`get_codes()`), as every 401 and 403 body carries one.
 */
export function notAuthenticated(): ExactHttpError {
  return new ExactHttpError(
    401,
    { detail: 'Authentication credentials were not provided.', code: 'not_authenticated' },
    CHALLENGE,
  );
}

export function badAuthorizationHeader(): ExactHttpError {
  return new ExactHttpError(
    401,
    { detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' },
    CHALLENGE,
  );
}

/** DRF's `PermissionDenied`, with its code. */
export function permissionDenied(): ExactHttpError {
  return new ExactHttpError(403, {
    detail: 'You do not have permission to perform this action.',
    code: 'permission_denied',
  });
}
