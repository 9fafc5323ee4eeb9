import { AppError } from './app-error';
import { startupFailureText } from './startup-failure';

describe(startupFailureText.name, () => {
  const bug = new TypeError("Cannot read properties of undefined (reading 'port')");

  it('is the message alone for a failure the user can fix, even at debug', () => {
    const error = new AppError('port_in_use', 'port 3000 is already in use');
    expect(startupFailureText(error, false)).toBe('port 3000 is already in use');
    expect(startupFailureText(error, true)).toBe('port 3000 is already in use');
  });

  it('is one line for a bug, saying how to get its stack', () => {
    expect(startupFailureText(bug, false)).toBe(
      "Cannot read properties of undefined (reading 'port') (unexpected; LOG_LEVEL=debug prints its stack trace)",
    );
  });

  it('has the stack of a bug at debug', () => {
    expect(startupFailureText(bug, true)).toBe(`${bug.message}\n${bug.stack}`);
  });
});
