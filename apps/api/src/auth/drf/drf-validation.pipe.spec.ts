import { ExactHttpError } from '../../http/exact-http-error';
import { DrfCharField } from './drf-char-field';
import { validateDrfBody } from './drf-validation.pipe';

/**
 * The cases of the former `requireStrings(body, names)`, now run through a DTO built from `names`
 * (a `password` keeps its whitespace, as on the token and registration DTOs).
 */
function requireStrings(body: unknown, names: string[]): object {
  class Dto {}
  for (const name of names) {
    DrfCharField({ trimWhitespace: name !== 'password' })(Dto.prototype, name);
  }
  return validateDrfBody(Dto, body);
}

function bodyOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ExactHttpError);
    expect((error as ExactHttpError).status).toBe(400);
    return (error as ExactHttpError).body;
  }
  throw new Error('expected a 400');
}

describe(requireStrings.name, () => {
  it('returns the fields when all are present', () => {
    expect(requireStrings({ username: 'a', password: 'p', extra: 1 }, ['username', 'password'])).toEqual({
      username: 'a',
      password: 'p',
    });
  });

  it('names every missing field with DRF sentences, in one error', () => {
    expect(bodyOf(() => requireStrings({}, ['username', 'password']))).toEqual({
      username: ['This field is required.'],
      password: ['This field is required.'],
    });
  });

  it('reads numbers as text and refuses objects, null and blanks like DRF CharField', () => {
    expect(requireStrings({ username: 42 }, ['username'])).toEqual({ username: '42' });
    expect(bodyOf(() => requireStrings({ a: {}, b: null, c: '  ', d: '' }, ['a', 'b', 'c', 'd']))).toEqual({
      a: ['Not a valid string.'],
      b: ['This field may not be null.'],
      c: ['This field may not be blank.'],
      d: ['This field may not be blank.'],
    });
  });

  it('reads booleans as text and refuses arrays like DRF CharField', () => {
    expect(requireStrings({ a: true }, ['a'])).toEqual({ a: 'true' });
    expect(bodyOf(() => requireStrings({ a: ['x'] }, ['a']))).toEqual({ a: ['Not a valid string.'] });
  });

  it("reads a parent DTO's fields first", () => {
    class Parent {
      @DrfCharField() first!: string;
    }
    class Child extends Parent {
      @DrfCharField() second!: string;
    }
    expect(Object.keys(bodyOf(() => validateDrfBody(Child, {})) as object)).toEqual(['first', 'second']);
    expect(validateDrfBody(Child, { second: 'b', first: 'a' })).toBeInstanceOf(Child);
  });

  it('refuses null characters, which PostgreSQL cannot store, like DRF CharField', () => {
    expect(
      bodyOf(() => requireStrings({ username: 'a\u0000b', password: 'p\u0000' }, ['username', 'password'])),
    ).toEqual({
      username: ['Null characters are not allowed.'],
      password: ['Null characters are not allowed.'],
    });
  });

  it('keeps a password made of spaces as sent', () => {
    expect(requireStrings({ password: '   ' }, ['password'])).toEqual({ password: '   ' });
  });

  it('refuses a body that is not an object', () => {
    expect(bodyOf(() => requireStrings([], ['a']))).toEqual({
      non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
    });
    expect(bodyOf(() => requireStrings(undefined, ['a']))).toEqual({
      non_field_errors: ['Invalid data. Expected a dictionary, but got NoneType.'],
    });
  });
});
