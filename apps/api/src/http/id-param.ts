import { INT4_MAX, isIntegerId } from '@app/common';
import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { Request } from 'express';
import { UnknownIdError } from './request-errors';

/** Decimal digits, no sign, no leading zero: `0x10`, `1e3`, `-1`, ` 7` and `07` name no row. */
const DECIMAL_ID = /^[1-9]\d{0,9}$/;

/** The row id a path segment names, or `undefined` when it cannot be one (beyond 2^31 − 1 included). */
export function parseIntegerId(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !DECIMAL_ID.test(raw)) {
    return undefined;
  }
  const id = Number(raw);
  return isIntegerId(id) ? id : undefined;
}

const integerIdParam = createParamDecorator((name: string, context: ExecutionContext): number => {
  const id = parseIntegerId(context.switchToHttp().getRequest<Request>().params[name]);
  if (id === undefined) {
    throw new UnknownIdError();
  }
  return id;
});

/**
 * A path parameter that is a PostgreSQL `integer` row id, as a number. Anything else (`abc`, `0`,
 * `-1`, `1e3`, `2147483648`) is answered 404 like an id that does not exist, before the handler
 * runs: PostgreSQL would refuse it with an error (a 500), not an empty result. It reads the raw
 * segment itself: the global ValidationPipe would turn `1e3` into 1000 for a `@Param()` typed
 * `number`. ESLint forbids `@Param()` in the API so that no route can forget it.
 */
export function IdParam(name = 'id'): ParameterDecorator {
  return (target, method, index) => {
    integerIdParam(name)(target, method, index);
    const descriptor = method === undefined ? undefined : Object.getOwnPropertyDescriptor(target, method);
    if (method !== undefined && descriptor !== undefined) {
      ApiParam({ name, schema: { type: 'integer', minimum: 1, maximum: INT4_MAX } })(target, method, descriptor);
    }
  };
}
