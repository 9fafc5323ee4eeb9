import { AppError } from '@app/common';
import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { ValidationError, ValidationOptions } from 'class-validator';
import { nullCharacterInBody, nullCharacterPath } from './null-characters';
import { RequestValidationError } from './request-errors';

/** The key, in a constraint's class-validator `context`, of the domain error that answers its failure. */
const DOMAIN_ERROR = 'domainError';

/**
 * The one validation of every body, query and path DTO: unknown fields refused, values converted
 * to the DTO's types, failures answered `{detail, code:"invalid", errors:{field:[…]}}` — or with
 * a domain error where a DTO constraint names one (see `answeredWith`). Then a body that passed,
 * whatever its DTO, is refused `null_character` if a string in it, key or value, holds U+0000:
 * PostgreSQL text cannot store it (the URL is checked by `refuseNullCharactersInUrl`).
 * DRF-compatible bodies (`@DrfBody()`, a custom parameter) are left to their own pipe, which
 * refuses U+0000 with DRF's message.
 */
export function apiValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: validationException,
  });
}

class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const validated: unknown = await super.transform(value, metadata);
    if (metadata.type === 'body') {
      const path = nullCharacterPath(validated);
      if (path !== undefined) {
        throw nullCharacterInBody(path);
      }
    }
    return validated;
  }
}

/**
 * Options for a DTO constraint whose refusal a contract fixes as a domain error (WhatsApp's
 * `{detail, code:"invalid_phone_number"}`) instead of the generic `invalid` body with `errors`.
 */
export function answeredWith(domainError: () => AppError, options: ValidationOptions = {}): ValidationOptions {
  return { ...options, context: { ...(options.context as object | undefined), [DOMAIN_ERROR]: domainError } };
}

/**
 * The domain error of the first failed constraint that names one wins over any other failure,
 * unknown fields included (the contract answers a bad phone number whatever else the body
 * holds); otherwise `invalid` with every field's messages.
 */
function validationException(errors: ValidationError[]): AppError {
  return domainErrorOf(errors) ?? RequestValidationError.fromValidationErrors(errors);
}

function domainErrorOf(errors: ValidationError[]): AppError | undefined {
  for (const error of errors) {
    for (const context of Object.values(error.contexts ?? {})) {
      const make = (context as Record<string, unknown> | undefined)?.[DOMAIN_ERROR];
      if (typeof make === 'function') {
        return (make as () => AppError)();
      }
    }
    const nested = domainErrorOf(error.children ?? []);
    if (nested) {
      return nested;
    }
  }
  return undefined;
}
