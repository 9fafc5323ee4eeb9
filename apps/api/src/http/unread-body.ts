import { CanActivate, ExecutionContext, createParamDecorator } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { NextFunction, Request, Response } from 'express';
import { UnsupportedMediaTypeError } from './body-errors';

/** What the body parsers read (`useBodyParsers`); a body of any other media type is left unread. */
export const BODY_MEDIA_TYPES = ['application/json', 'application/x-www-form-urlencoded'] as const;

/** Requests with a non-empty body that no parser read, and its `Content-Type` (`undefined`: none). */
const unreadBodies = new WeakMap<Request, { mediaType: string | undefined }>();

/** A body with bytes in it: `Content-Length` over 0, or chunked (whose length is unknown until read). */
function declaresNonEmptyBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
}

/**
 * Middleware after the body parsers: notes a non-empty body of another media type, or of none, so
 * that an endpoint that takes a body refuses it (`UnreadBodyGuard`) instead of seeing no
 * body and answering "field required". Endpoints without a body never look at it.
 */
export function noteUnreadBody(request: Request, _response: Response, next: NextFunction): void {
  // The parsers set `body` for every body they read (or fail the request); another one stays undefined.
  if (request.body === undefined && declaresNonEmptyBody(request)) {
    unreadBodies.set(request, { mediaType: request.headers['content-type'] });
  }
  next();
}

function readRawBody(_data: unknown, context: ExecutionContext): unknown {
  return context.switchToHttp().getRequest<Request>().body;
}

/**
 * The parsed body, unvalidated, for a parameter decorator that validates it itself (`@DrfBody()`).
 * Like `@Body()`, it marks its endpoint as one that takes a body.
 */
export const RawBody = createParamDecorator(readRawBody);

type RouteArguments = Record<string, { factory?: unknown }>;

const takesBodyCache = new WeakMap<object, boolean>();

/** Whether the handler reads the body: a `@Body()` parameter, or a `RawBody` one. */
function takesBody(controller: object, handler: { name: string }): boolean {
  let takes = takesBodyCache.get(handler);
  if (takes === undefined) {
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as RouteArguments;
    takes = Object.entries(args).some(
      ([key, argument]) => key.startsWith(`${RouteParamtypes.BODY}:`) || argument.factory === readRawBody,
    );
    takesBodyCache.set(handler, takes);
  }
  return takes;
}

/**
 * Refuses, 415 `unsupported_media_type`, a non-empty body that is neither JSON nor a form on an
 * endpoint that takes a body. A guard, registered after the authentication guard
 * (`app.useGlobalGuards` runs after the APP_GUARDs, which NestFactory.create installs): DRF
 * parses a body only once the view reads it, so a request without credentials gets its 401
 * first. Not an interceptor: any global interceptor makes Nest send an `@Sse()` route's headers
 * before its handler can refuse (a 404 would become a 200 stream).
 */
export class UnreadBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'http') {
      const unread = unreadBodies.get(context.switchToHttp().getRequest<Request>());
      if (unread !== undefined && takesBody(context.getClass(), context.getHandler())) {
        throw new UnsupportedMediaTypeError(unread.mediaType, BODY_MEDIA_TYPES);
      }
    }
    return true;
  }
}
