import { AppError } from '@app/common';
import { HttpStatus } from '@nestjs/common';
import { ValidationError } from 'class-validator';

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

/** A body, query or path parameter that fails its DTO; `errors` maps each field to its messages. */
export class RequestValidationError extends AppError {
  constructor(readonly errors: Record<string, string[]>) {
    const summary = Object.entries(errors)
      .map(([field, messages]) => `${field}: ${messages.join(' ')}`)
      .join('; ');
    super('invalid', `Invalid input - ${summary}`, HttpStatus.BAD_REQUEST, { errors });
  }

  static fromValidationErrors(errors: ValidationError[]): RequestValidationError {
    const fields: Record<string, string[]> = {};
    const visit = (error: ValidationError, prefix: string) => {
      const path = prefix ? `${prefix}.${error.property}` : error.property;
      if (error.constraints) {
        fields[path] = Object.values(error.constraints).map(sentence);
      }
      for (const child of error.children ?? []) {
        visit(child, path);
      }
    };
    errors.forEach((error) => visit(error, ''));
    return new RequestValidationError(fields);
  }
}

/** class-validator says `property foo should not exist`; we say it as a sentence. */
function sentence(message: string): string {
  const unknown = /^property (.+) should not exist$/.exec(message);
  const text = unknown ? `Unknown field "${unknown[1]}".` : message;
  const capitalized = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalized) ? capitalized : `${capitalized}.`;
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
