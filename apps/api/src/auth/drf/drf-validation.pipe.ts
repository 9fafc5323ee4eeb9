import { FieldErrors } from '@app/auth';
import { ArgumentMetadata, PipeTransform, Type } from '@nestjs/common';
import { ExactHttpError } from '../../http/exact-http-error';
import { RawBody } from '../../http/unread-body';
import { charFieldProblem, charFieldValue, drfFieldsOf } from './drf-char-field';

/** A 400 with DRF's body shape, sent verbatim by the exception filter. */
export function drfFieldErrors(errors: FieldErrors): ExactHttpError {
  return new ExactHttpError(400, errors);
}

/** A body's DRF char fields: the valid strings, and DRF's first message for each other field. */
export interface DrfFields {
  values: Record<string, string>;
  problems: FieldErrors;
}

/**
 * A request body read the way a DRF serializer reads it, against a DTO of `@DrfCharField()`s:
 * anything but a JSON object is refused as a whole; otherwise each declared field is a valid
 * string or has DRF's first message. Fields the DTO does not declare are dropped. The fields are
 * read directly (no class-transformer/class-validator pass: this runs on every token verify,
 * refresh and login).
 */
export function readDrfFields(dto: Type<object>, body: unknown): DrfFields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw drfFieldErrors({
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(body)}.`],
    });
  }
  const values: Record<string, string> = {};
  const problems: FieldErrors = {};
  for (const { name, options } of drfFieldsOf(dto)) {
    const value = charFieldValue((body as Record<string, unknown>)[name]);
    const problem = charFieldProblem(value, options);
    if (problem === undefined) {
      values[name] = value as string;
    } else {
      problems[name] = [problem];
    }
  }
  return { values, problems };
}

/** One 400 naming every refused field, in the DTO's field order (DRF's), or the DTO instance. */
export function drfBodyOrErrors<T extends object>(
  dto: Type<T>,
  values: Record<string, string>,
  errors: FieldErrors,
): T {
  const ordered: FieldErrors = {};
  for (const { name } of drfFieldsOf(dto)) {
    if (errors[name] !== undefined) {
      ordered[name] = errors[name];
    }
  }
  if (Object.keys(ordered).length > 0) {
    throw drfFieldErrors(ordered);
  }
  return Object.assign(new dto(), values);
}

/** `readDrfFields`, then one 400 for every bad field, or the DTO instance. */
export function validateDrfBody<T extends object>(dto: Type<T>, body: unknown): T {
  const { values, problems } = readDrfFields(dto, body);
  return drfBodyOrErrors(dto, values, problems);
}

/** How DRF (Python) names the type of a body that is not a dictionary. */
function pythonTypeName(body: unknown): string {
  if (Array.isArray(body)) {
    return 'list';
  }
  if (body === null || body === undefined) {
    return 'NoneType';
  }
  return typeof body === 'string' ? 'str' : typeof body;
}

/** Validates a body parameter against its DTO class with DRF's semantics and bodies (see `validateDrfBody`). */
export class DrfValidationPipe implements PipeTransform {
  transform(value: unknown, { metatype }: ArgumentMetadata): unknown {
    if (typeof metatype !== 'function') {
      throw new Error('DrfValidationPipe needs a DTO class as the parameter type');
    }
    return validateDrfBody(metatype as Type<object>, value);
  }
}

/**
 * The body of a DRF-compatible endpoint (simplejwt's token views, registration, password change),
 * validated by `pipe`: `DrfValidationPipe`, or a pipe class with more rules that Nest builds with
 * its dependencies (`RegistrationBodyPipe`). A 400 answers DRF's field map, not the
 * `{detail, code, errors}` of the other endpoints. The global ValidationPipe skips custom parameter
 * decorators, so only this pipe runs; it runs after interceptors (the refresh cookie is already in
 * the body). Like `@Body()`, it makes its endpoint one that takes a body (`RawBody`).
 */
export const DrfBody = (pipe: Type<PipeTransform> | PipeTransform = new DrfValidationPipe()): ParameterDecorator =>
  RawBody(undefined, pipe);
