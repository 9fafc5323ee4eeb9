import {
  InvalidCredentialsError,
  NoActiveAccountError,
  TokenBlacklistedOnVerifyError,
  TokenRejectedError,
  UserInactiveError,
  UserInputError,
  UserNotFoundError,
} from '@app/auth';
import { simplejwtAnswer } from './simplejwt-errors';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="api"' };

describe(simplejwtAnswer.name, () => {
  it('answers a token refused by a token view with its sentence, and on a protected route with simplejwt messages', () => {
    expect(simplejwtAnswer(new TokenRejectedError('Token is expired', 'token_view'))).toMatchObject({
      status: 401,
      body: { detail: 'Token is expired', code: 'token_not_valid' },
      headers: CHALLENGE,
    });
    expect(simplejwtAnswer(new TokenRejectedError('Token is blacklisted', 'authentication'))).toMatchObject({
      status: 401,
      body: {
        detail: 'Given token not valid for any token type',
        code: 'token_not_valid',
        messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is blacklisted' }],
      },
      headers: CHALLENGE,
    });
  });

  it('answers account refusals with simplejwt bodies and the Bearer challenge', () => {
    expect(simplejwtAnswer(new InvalidCredentialsError())).toEqual(
      expect.objectContaining({
        status: 401,
        body: { detail: 'No active account found with the given credentials', code: 'no_active_account' },
        headers: CHALLENGE,
      }),
    );
    expect(simplejwtAnswer(new NoActiveAccountError()).body).toEqual({
      detail: 'No active account found for the given token.',
      code: 'no_active_account',
    });
    expect(simplejwtAnswer(new UserInactiveError()).body).toEqual({
      detail: 'User is inactive',
      code: 'user_inactive',
    });
    expect(simplejwtAnswer(new UserNotFoundError()).body).toEqual({ detail: 'User not found', code: 'user_not_found' });
  });

  it('answers validation-like refusals 400 with DRF field maps and no challenge', () => {
    expect(simplejwtAnswer(new TokenBlacklistedOnVerifyError())).toMatchObject({
      status: 400,
      body: { non_field_errors: ['Token is blacklisted'] },
      headers: {},
    });
    const taken = new UserInputError({ username: ['A user with that username already exists.'] });
    expect(simplejwtAnswer(taken)).toMatchObject({
      status: 400,
      body: { username: ['A user with that username already exists.'] },
      headers: {},
    });
  });
});
