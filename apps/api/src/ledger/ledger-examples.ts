/** Error bodies for Swagger, as the exception filter renders the lib's errors. */
export const BAD_POINTS_EXAMPLE = {
  detail: 'Invalid input - points must be a positive integer no greater than 2147483647.',
  code: 'invalid',
  errors: { points: ['points must be a positive integer no greater than 2147483647.'] },
};
export const INSUFFICIENT_POINTS_EXAMPLE = {
  detail: 'Not enough points: 50 available, 100 requested.',
  code: 'insufficient_points',
  available: 50,
  requested: 100,
};
export const IDEMPOTENCY_REUSED_EXAMPLE = {
  detail: 'This Idempotency-Key was already used with a different request body.',
  code: 'idempotency_key_reused',
};
export const TOKEN_NOT_FOUND_EXAMPLE = { detail: 'No exchange token matches this value.', code: 'token_not_found' };
export const TOKEN_USED_EXAMPLE = { detail: 'This exchange token has already been used.', code: 'token_already_used' };
export const TOKEN_EXPIRED_EXAMPLE = {
  detail: 'This exchange token has expired; its 100 points were returned to the customer.',
  code: 'token_expired',
  pointsRestored: 100,
};
export const USER_NOT_FOUND_EXAMPLE = { detail: 'No user is named "alice".', code: 'user_not_found' };
export const INVALID_CURSOR_EXAMPLE = {
  detail: 'The cursor is not one this endpoint returned.',
  code: 'invalid_cursor',
};
