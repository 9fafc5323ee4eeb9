import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { Request } from 'express';

/** CONTRACT §4's header, as Swagger names it (HTTP header names are case-insensitive). */
const HEADER = 'Idempotency-Key';

const idempotencyKeyHeader = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<Request>().headers[HEADER.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
});

/**
 * The optional `Idempotency-Key` request header, documented once. `@Headers('idempotency-key')`
 * would make Swagger list a second, lower-case and required, header beside any `@ApiHeader`.
 */
export function IdempotencyKey(description: string): ParameterDecorator {
  return (target, method, index) => {
    idempotencyKeyHeader()(target, method, index);
    const descriptor = method === undefined ? undefined : Object.getOwnPropertyDescriptor(target, method);
    if (method !== undefined && descriptor !== undefined) {
      ApiHeader({ name: HEADER, required: false, description })(target, method, descriptor);
    }
  };
}
