import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { FIELD_NULL, FIELD_REQUIRED } from '../../http/request-errors';

export const FIELD_BLANK = 'This field may not be blank.';
export const NOT_A_STRING = 'Not a valid string.';
/** DRF's `ProhibitNullCharactersValidator`: PostgreSQL cannot store U+0000 in text either. */
export const NULL_CHARACTERS = 'Null characters are not allowed.';

export interface DrfCharFieldOptions {
  /**
   * DRF's `trim_whitespace`: when true (DRF's default) a value of only whitespace is blank.
   * Passwords set it to false (simplejwt's `PasswordField`): they are compared as sent.
   */
  trimWhitespace?: boolean;
  /** Swagger's description of the field (type and requiredness are the decorator's). */
  api?: Pick<ApiPropertyOptions, 'description' | 'example' | 'minLength' | 'maxLength'>;
}

/**
 * What DRF's `CharField` says about `value` (numbers and booleans already read as their text),
 * or `undefined` when it is a valid string. One message per field, as DRF stops at the first.
 */
export function charFieldProblem(
  value: unknown,
  { trimWhitespace = true }: DrfCharFieldOptions = {},
): string | undefined {
  if (value === undefined) {
    return FIELD_REQUIRED;
  }
  if (typeof value !== 'string') {
    return value === null ? FIELD_NULL : NOT_A_STRING;
  }
  if (value.includes('\u0000')) {
    return NULL_CHARACTERS;
  }
  if (value === '' || (trimWhitespace && value.trim() === '')) {
    return FIELD_BLANK;
  }
  return undefined;
}

/** DRF's `CharField` accepts numbers and booleans as their text; the value itself is never trimmed. */
export function charFieldValue(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** A field of a DTO read by `validateDrfBody`. */
export interface DrfField {
  name: string;
  options: DrfCharFieldOptions;
}

/** Each DTO's own fields, in declaration order (property decorators run in that order). */
const ownFields = new WeakMap<object, DrfField[]>();
/** Each DTO's fields with its parents', worked out on its first body. */
const allFields = new WeakMap<object, DrfField[]>();

/** The fields of `dto`, its parent classes' first (as a DRF serializer inherits its parent's fields). */
export function drfFieldsOf(dto: object): DrfField[] {
  let fields = allFields.get(dto);
  if (fields === undefined) {
    const parent: unknown = Object.getPrototypeOf(dto);
    fields = [...(typeof parent === 'function' ? drfFieldsOf(parent) : []), ...(ownFields.get(dto) ?? [])];
    allFields.set(dto, fields);
  }
  return fields;
}

/**
 * A required DRF `CharField` on a DTO read by `validateDrfBody` (other body fields are dropped, as
 * DRF ignores them), documented in Swagger as a required string.
 */
export function DrfCharField(options: DrfCharFieldOptions = {}): PropertyDecorator {
  const document = ApiProperty({ type: String, required: true, ...options.api });
  return (prototype: object, property: string | symbol) => {
    const dto = prototype.constructor;
    ownFields.set(dto, [...(ownFields.get(dto) ?? []), { name: String(property), options }]);
    document(prototype, property);
  };
}
