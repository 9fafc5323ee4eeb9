import { QueryFailedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isDatabaseUnavailable } from './database.errors';

const driverError = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe(isDatabaseUnavailable.name, () => {
  it.each<[string, unknown]>([
    ['a refused connection', driverError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    [
      'a server shutting down (57P01)',
      new QueryFailedError('SELECT 1', [], driverError('57P01', 'terminating connection due to administrator command')),
    ],
    ['a connection exception (08006)', driverError('08006')],
    [
      'a connection that died under a transaction (TypeORM, seen in the PostgreSQL drill)',
      new QueryRunnerProviderAlreadyReleasedError(),
    ],
    ['pg on a dead connection', new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
  ])('recognises %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a unique violation', new QueryFailedError('INSERT', [], driverError('23505', 'duplicate key value'))],
    ['an invalid input', driverError('22P02', 'invalid input syntax for type integer')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error at all', 'a string'],
  ])('leaves %s to the 500 path', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
