import { ExactHttpError } from '@app/common';

export const FIELD_REQUIRED = 'This field is required.';
export const FIELD_BLANK = 'This field may not be blank.';
export const NOT_A_STRING = 'Not a valid string.';
/** DRF's `ProhibitNullCharactersValidator`: PostgreSQL cannot store U+0000 in text either. */
export const NULL_CHARACTERS = 'Null characters are not allowed.';

/** DRF's field error map: `{"password": ["This field is required."]}`. */
export type FieldErrors = Record<string, string[]>;

/** A 400 with DRF's body shape, sent verbatim by the exception filter. */
export function fieldErrors(errors: FieldErrors): ExactHttpError {
  return new ExactHttpError(400, errors);
}

/**
 * Reads the string fields `names` of a request body the way DRF's `CharField`s do: a missing
 * field is "required", an empty one "blank", numbers and booleans are taken as their text,
 * anything else is "not a valid string". Throws one 400 naming every bad field.
 */
export function requireStrings<K extends string>(body: unknown, names: readonly K[]): Record<K, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const got = Array.isArray(body)
      ? 'list'
      : body === null || body === undefined
        ? 'NoneType'
        : typeof body === 'string'
          ? 'str'
          : typeof body;
    throw fieldErrors({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`] });
  }
  const values: Partial<Record<K, string>> = {};
  const errors: FieldErrors = {};
  for (const name of names) {
    const raw: unknown = (body as Record<string, unknown>)[name];
    if (raw === undefined) {
      errors[name] = [FIELD_REQUIRED];
    } else if (typeof raw === 'number' || typeof raw === 'boolean') {
      values[name] = String(raw);
    } else if (typeof raw !== 'string') {
      errors[name] = [raw === null ? 'This field may not be null.' : NOT_A_STRING];
    } else if (raw.includes('\u0000')) {
      errors[name] = [NULL_CHARACTERS];
    } else if (raw === '' || (name !== 'password' && raw.trim() === '')) {
      // Passwords are compared as sent; other fields are blank when only whitespace (DRF trims).
      errors[name] = [FIELD_BLANK];
    } else {
      values[name] = raw;
    }
  }
  if (Object.keys(errors).length > 0) {
    throw fieldErrors(errors);
  }
  return values as Record<K, string>;
}
