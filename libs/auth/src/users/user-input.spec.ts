import { UserInputError } from '../auth.errors';
import { userInputErrors } from './user-input';

describe(userInputErrors.name, () => {
  const valid = {
    username: 'alice.b+1@x',
    email: 'alice@example.com',
    password: '12345678',
    role: 'customer' as const,
  };

  it('accepts what Django accepts', () => {
    expect(userInputErrors(valid)).toEqual({});
    expect(userInputErrors({ ...valid, email: '' })).toEqual({});
  });

  it('names each bad field', () => {
    expect(userInputErrors({ username: 'a b', email: 'nope', password: 'short', role: 'root' as never })).toEqual({
      username: ['Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.'],
      email: ['Enter a valid email address.'],
      password: ['This password is too short. It must contain at least 8 characters.'],
      role: ['"root" is not a valid choice.'],
    });
  });

  it('checks only the fields it is given', () => {
    expect(userInputErrors({ email: 'nope' })).toEqual({ email: ['Enter a valid email address.'] });
    expect(userInputErrors({})).toEqual({});
  });

  it('gives the CLI one line and the API the DRF body', () => {
    const error = new UserInputError({ username: ['A user with that username already exists.'] });
    expect(error.message).toBe('username: A user with that username already exists.');
    expect(error.errors).toEqual({ username: ['A user with that username already exists.'] });
  });
});
