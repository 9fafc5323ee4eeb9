import { AppError } from '@app/common';
import { DatabaseUnreachableError, connectionFailure, createdbCommand } from './connection-failure';

const driverError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe(createdbCommand.name, () => {
  it('names the host, port, user and database of DATABASE_URL, never its password', () => {
    expect(createdbCommand('postgres://app:s3cret@db.internal:6543/hourglass')).toBe(
      'createdb -h db.internal -p 6543 -U app hourglass',
    );
  });

  it('leaves out what the URL leaves out, and quotes a name the shell would split', () => {
    expect(createdbCommand("postgres://localhost/my%20db's")).toBe(`createdb -h localhost 'my db'\\''s'`);
  });
});

describe(connectionFailure.name, () => {
  const url = 'postgres://app@127.0.0.1:5432/hourglass';

  it('joins the messages of an AggregateError (localhost refused on ::1 and 127.0.0.1)', () => {
    const refused = Object.assign(
      new AggregateError([
        driverError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432'),
        driverError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      ]),
      { code: 'ECONNREFUSED' },
    );
    const error = connectionFailure(refused, url);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect(error?.message).toBe(
      'Cannot reach the PostgreSQL server at 127.0.0.1:5432 (connect ECONNREFUSED ::1:5432, connect ECONNREFUSED 127.0.0.1:5432): start it, or fix DATABASE_URL.',
    );
  });

  it('leaves an error the user cannot fix from the outside as it is', () => {
    expect(connectionFailure(driverError('42601', 'syntax error'), url)).toBeUndefined();
    expect(connectionFailure(new TypeError('a bug'), url)).toBeUndefined();
    expect(connectionFailure(driverError('3D000', 'database "x" does not exist'), url)).toBeInstanceOf(AppError);
  });
});
