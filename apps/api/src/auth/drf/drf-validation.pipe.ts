import { FieldErrors } from '@app/auth';
import { ArgumentMetadata, ExecutionContext, PipeTransform, Type, createParamDecorator } from '@nestjs/common';
import { Request } from 'express';
import { ExactHttpError } from '../../http/exact-http-error';
import { charFieldProblem, charFieldValue, drfFieldsOf } from './drf-char-field';

/** A 400 with DRF's body shape, sent verbatim by the exception filter. */
export function drfFieldErrors(errors: FieldErrors): ExactHttpError {
  return new ExactHttpError(400, errors);
}

/**
 * A request body read the way a DRF serializer reads it, against a DTO of `@DrfCharField()`s:
 * anything but a JSON object is refused as a whole; otherwise one 400 names every bad field, in
 * the DTO's field order, with DRF's first message for each. Fields the DTO does not declare are
 * dropped. The DTO's fields are read directly (no class-transformer/class-validator pass: this
 * runs on every token verify, refresh and login).
 */
export function validateDrfBody<T extends object>(dto: Type<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw drfFieldErrors({
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(body)}.`],
    });
  }
  const instance = new dto() as Record<string, unknown>;
  const errors: FieldErrors = {};
  for (const { name, options } of drfFieldsOf(dto)) {
    const value = charFieldValue((body as Record<string, unknown>)[name]);
    const problem = charFieldProblem(value, options);
    if (problem === undefined) {
      instance[name] = value;
    } else {
      errors[name] = [problem];
    }
  }
  if (Object.keys(errors).length > 0) {
    throw drfFieldErrors(errors);
  }
  return instance as T;
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

const requestBody = createParamDecorator(
  (_data: unknown, context: ExecutionContext): unknown => context.switchToHttp().getRequest<Request>().body,
);

/**
 * The body of a DRF-compatible endpoint (simplejwt's token views, registration, password change),
 * validated by `DrfValidationPipe`: a 400 answers DRF's field map, not the `{detail, code, errors}`
 * of the other endpoints. The global ValidationPipe skips custom parameter decorators, so only this
 * pipe runs; it runs after interceptors (the refresh cookie is already in the body).
 */
export const DrfBody = (): ParameterDecorator => requestBody(undefined, new DrfValidationPipe());
