import { AppError } from '@app/common';
import { HttpStatus } from '@nestjs/common';
import { ValidationError, ValidationOptions } from 'class-validator';

/** A body that is not JSON. The detail follows DRF's wording so simplejwt clients recognise it. */
export class JsonParseError extends AppError {
  constructor(reason: string) {
    super('parse_error', `JSON parse error - ${reason}`, HttpStatus.BAD_REQUEST);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limit: string) {
    super('payload_too_large', `Request body is larger than ${limit}.`, HttpStatus.PAYLOAD_TOO_LARGE);
  }
}

/**
 * A body, query or path parameter that fails its DTO; `errors` maps each field to one message,
 * the most relevant of its failures (see `messageFor`), in the field's own name as the client
 * sends it (`intervalMinutes must be at least 1.`).
 */
export class RequestValidationError extends AppError {
  constructor(readonly errors: Record<string, string[]>) {
    const summary = Object.entries(errors)
      .map(([field, messages]) =>
        messages.map((message) => (namesItself(message, field) ? message : `${field}: ${message}`)),
      )
      .flat()
      .join(' ');
    super('invalid', `Invalid input - ${summary}`, HttpStatus.BAD_REQUEST, { errors });
  }

  static fromValidationErrors(errors: ValidationError[]): RequestValidationError {
    const fields: Record<string, string[]> = {};
    const visit = (error: ValidationError, prefix: string) => {
      const path = prefix ? `${prefix}.${error.property}` : error.property;
      if (error.constraints) {
        fields[path] = [messageFor(error, error.constraints)];
      }
      for (const child of error.children ?? []) {
        visit(child, path);
      }
    };
    errors.forEach((error) => visit(error, ''));
    return new RequestValidationError(fields);
  }
}

/** DRF's words for a field that is absent or null (an optional field skips its checks then, so this one is required). */
export const FIELD_REQUIRED = 'This field is required.';
export const FIELD_NULL = 'This field may not be null.';

/**
 * Which failure to report when a value fails several checks: an unknown field, then what the value
 * is (its type, its allowed values), then emptiness, then anything else (range, length, pattern).
 * `"abc"` for an integer from 1 to 200 is "not an integer", not also "less than 1" and "greater than 200".
 */
const RANKS: Partial<Record<string, number>> = {
  whitelistValidation: 0,
  isDefined: 1,
  isString: 2,
  isInt: 2,
  isNumber: 2,
  isNumberString: 2,
  isBoolean: 2,
  isArray: 2,
  isObject: 2,
  isDate: 2,
  isDateString: 2,
  isIn: 2,
  isEnum: 2,
  isNotEmpty: 3,
};
const OTHER_RANK = 4;

/** The key, in a constraint's class-validator `context`, that marks a check judging the whole value. */
const WHOLE_VALUE = 'wholeValue';

/**
 * Options for a check that judges the whole value in its own words, absence included: a missing
 * `points` is told `points must be a positive integer…`, as a present but wrong one, rather than
 * DRF's "This field is required.".
 */
export function judgesTheWholeValue(options: ValidationOptions = {}): ValidationOptions {
  return { ...options, context: { ...(options.context as object | undefined), [WHOLE_VALUE]: true } };
}

/**
 * The one message of a field: a whole-value check's if it failed, DRF's for a missing or null
 * value, else its best-ranked failure's.
 */
function messageFor(error: ValidationError, constraints: Record<string, string>): string {
  const whole = Object.keys(constraints).find(
    (name) => (error.contexts?.[name] as Record<string, unknown> | undefined)?.[WHOLE_VALUE] === true,
  );
  if (whole !== undefined) {
    return sentence(constraints[whole], error.property);
  }
  if (!('whitelistValidation' in constraints)) {
    if (error.value === undefined) {
      return FIELD_REQUIRED;
    }
    if (error.value === null) {
      return FIELD_NULL;
    }
  }
  // class-validator lists a field's failures last decorator first: reversed, ties go to the first declared.
  const failures = Object.entries(constraints).reverse();
  const rank = ([name]: [string, string]) => RANKS[name] ?? OTHER_RANK;
  const [, message] = failures.reduce((best, failure) => (rank(failure) < rank(best) ? failure : best));
  return sentence(message, error.property);
}

function namesItself(message: string, field: string): boolean {
  return message.startsWith(`${field} `);
}

/**
 * class-validator says `property foo should not exist`; we say it as a sentence. A message that
 * starts with the field's name keeps it as the client spells it (`limit`, `intervalMinutes`);
 * others start with a capital.
 */
function sentence(message: string, field: string): string {
  const unknown = /^property (.+) should not exist$/.exec(message);
  let text = unknown ? `Unknown field "${unknown[1]}".` : message;
  if (!namesItself(text, field)) {
    text = text.charAt(0).toUpperCase() + text.slice(1);
  }
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** A path id that cannot name a row (see `IdParam`): the same 404 as an id that does not exist. */
export class UnknownIdError extends AppError {
  constructor() {
    super('not_found', 'Not found.', HttpStatus.NOT_FOUND);
  }
}

/** U+0000 in a string of the URL or the body: PostgreSQL `text` cannot hold it (DRF refuses it too). */
export class NullCharacterError extends AppError {
  constructor(where: string) {
    super('null_character', `Null characters are not allowed (${where}).`, HttpStatus.BAD_REQUEST);
  }
}
