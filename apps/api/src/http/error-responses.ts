import { Type } from '@nestjs/common';
import { ApiResponseNoStatusOptions, SchemaObject } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto';

/** A named example of an answer, as OpenAPI's `examples` holds it. */
export interface NamedExample {
  value: unknown;
  summary?: string;
}

interface ErrorResponseOptions {
  description?: string;
  /** The body's schema: `ErrorBodyDto` (`{detail, code}`) unless the answer adds documented fields. */
  type?: Type<ErrorBodyDto>;
  headers?: ApiResponseNoStatusOptions['headers'];
}

/**
 * DRF's field errors, `{"password":["This field is required."]}`: the 400 of simplejwt's views,
 * registration and the password change (`non_field_errors` for the body as a whole).
 */
export const FIELD_ERRORS_SCHEMA: SchemaObject = {
  type: 'object',
  description: "DRF's field errors: each refused field's messages, under its name.",
  additionalProperties: { type: 'array', items: { type: 'string' } },
};

/**
 * Swagger options of an error answer with one example. Every documented answer has a schema, not
 * only an example (test/openapi.e2e-spec.ts checks it), so that a generated client can type it.
 */
export function errorResponse(
  example: unknown,
  { description, type = ErrorBodyDto, headers }: ErrorResponseOptions = {},
): ApiResponseNoStatusOptions {
  return { description, headers, type, example };
}

/** An error answer with several named examples (one per code, or per message). */
export function errorExamplesResponse(
  examples: Record<string, NamedExample>,
  { description, type = ErrorBodyDto, headers }: ErrorResponseOptions = {},
): ApiResponseNoStatusOptions {
  return { description, headers, type, examples: summarized(examples) };
}

/** DRF's field errors (`FIELD_ERRORS_SCHEMA`), with named examples. */
export function fieldErrorsResponse(
  examples: Record<string, NamedExample>,
  description = 'Field errors, one key per refused field.',
): ApiResponseNoStatusOptions {
  return { description, schema: FIELD_ERRORS_SCHEMA, examples: summarized(examples) };
}

/** Nest's types want a summary on each named example: its name unless it has one. */
function summarized(examples: Record<string, NamedExample>): Record<string, { summary: string; value: unknown }> {
  return Object.fromEntries(
    Object.entries(examples).map(([name, { value, summary }]) => [name, { summary: summary ?? name, value }]),
  );
}
