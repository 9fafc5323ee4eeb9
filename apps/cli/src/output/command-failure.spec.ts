import { AppError } from '@app/common';
import { failureText } from './command-failure';

describe(failureText.name, () => {
  it('gives an expected failure its message alone, with or without debug', () => {
    const error = new AppError('user_not_found', 'No user is named "ghost".');
    expect(failureText(error, false)).toBe('Error: No user is named "ghost".');
    expect(failureText(error, true)).toBe('Error: No user is named "ghost".');
  });

  it('says what a missing table means instead of showing where it was queried', () => {
    const error = Object.assign(new Error('relation "users" does not exist'), { code: '42P01' });
    expect(failureText(error, true)).toBe(
      'Error: relation "users" does not exist: the database schema lacks a table its migrations create ' +
        '(`npm run cli -- migrate` applies any pending one; a table dropped by hand must be restored)',
    );
  });

  it('prints a bug in one line, and its stack only in debug', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    expect(failureText(bug, false)).toBe(
      "Error: Cannot read properties of undefined (reading 'id') (unexpected; LOG_LEVEL=debug prints its stack trace)",
    );
    expect(failureText(bug, true)).toBe(`Error: ${bug.message}\n${bug.stack}`);
  });
});
