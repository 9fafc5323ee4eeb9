import { FieldErrors } from '../auth.errors';
import { ROLES, Role } from './user.entity';

export const MIN_PASSWORD_LENGTH = 8;
const USERNAME = /^[\p{L}\p{N}_.@+-]+$/u;
// Django's EmailValidator in spirit: one @, a dotted domain, no spaces.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const USERNAME_TAKEN = 'A user with that username already exists.';

export interface UserInput {
  username: string;
  email: string;
  password: string;
  role: Role;
}

/**
 * The rules Django's `User` model and default password validators apply, as field errors, to the
 * fields `input` has (registration checks the fields that arrived as strings while others are missing).
 */
export function userInputErrors({ username, email, password, role }: Partial<UserInput>): FieldErrors {
  const errors: FieldErrors = {};
  if (username !== undefined && username.length > 150) {
    errors.username = ['Ensure this field has no more than 150 characters.'];
  } else if (username !== undefined && !USERNAME.test(username)) {
    errors.username = [
      'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
    ];
  }
  if (email !== undefined && email !== '' && (email.length > 254 || !EMAIL.test(email))) {
    errors.email = ['Enter a valid email address.'];
  }
  if (password !== undefined && password.length < MIN_PASSWORD_LENGTH) {
    errors.password = [`This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`];
  }
  if (role !== undefined && !(ROLES as readonly string[]).includes(role)) {
    errors.role = [`"${role}" is not a valid choice.`];
  }
  return errors;
}
