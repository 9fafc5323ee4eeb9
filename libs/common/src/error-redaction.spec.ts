import { errorSerializer, redactedMessage } from './error-redaction';

/** The shape of TypeORM's QueryFailedError (the e2e spec uses real ones, from PostgreSQL). */
function queryFailed(message: string, parameters: unknown[], extra: object = {}): Error {
  return Object.assign(new Error(message), { query: 'SELECT $1', parameters, ...extra });
}

describe(errorSerializer.name, () => {
  it('keeps the types and lengths of parameters, never their values', () => {
    const error = queryFailed('boom', ['a-secret', 7, null, Buffer.from('abc'), ['x'], new Date(0), { k: 'v' }]);
    expect(errorSerializer(error)).toMatchObject({
      type: 'Error',
      message: 'boom',
      query: 'SELECT $1',
      parameters: ['string(8)', 'number', 'null', 'bytes(3)', 'array(1)', 'date', 'object'],
    });
  });

  it('redacts parameter values in every text of the error and of the errors it wraps', () => {
    const inner = queryFailed('invalid input syntax for type uuid: "not-a-uuid-secret"', ['not-a-uuid-secret'], {
      detail: 'Token "not-a-uuid-secret" is invalid.',
      driverError: new Error('not-a-uuid-secret'),
    });
    const outer = Object.assign(new Error('while saving', { cause: inner }), { original: inner });
    const text = JSON.stringify(errorSerializer(outer));
    expect(text).not.toContain('not-a-uuid-secret');
    expect(text).toContain('invalid input syntax for type uuid: \\"[redacted]\\"');
    expect(text).not.toContain('driverError');
  });

  it("redacts the values PostgreSQL quotes from keys and rows, parameters or not, keeping the columns' names", () => {
    const serialized = errorSerializer(
      queryFailed('violates', [], {
        detail: 'Key (user_id, name)=(5, a (b) c) is not present in table "users".',
      }),
    ) as { detail: string };
    expect(serialized.detail).toBe('Key (user_id, name)=([redacted]) is not present in table "users".');
    const row = errorSerializer(queryFailed('check', [], { detail: 'Failing row contains (1, pbkdf2$hash, (x)).' }));
    expect((row as { detail: string }).detail).toBe('Failing row contains ([redacted]).');
  });

  it('leaves errors without query data as pino serializes them', () => {
    expect(errorSerializer(new TypeError('plain'))).toMatchObject({ type: 'TypeError', message: 'plain' });
    expect(errorSerializer('not an error')).toBe('not an error');
  });
});

describe(redactedMessage.name, () => {
  it('redacts the parameter values a failed query quotes in its message', () => {
    const error = queryFailed('value "secret-value" is out of range for type integer', ['secret-value']);
    expect(redactedMessage(error)).toBe('value "[redacted]" is out of range for type integer');
    expect(redactedMessage(new Error('no query here'))).toBe('no query here');
  });
});
