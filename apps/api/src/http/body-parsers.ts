import { AppError } from '@app/common';
import { INestApplication } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import {
  BodyParserError,
  JsonSentAsFormError,
  NestingTooDeepError,
  UnsupportedCharsetError,
  UnsupportedContentEncodingError,
  bodyReadingError,
} from './body-errors';
import { ExactHttpError } from './exact-http-error';
import { nestsDeeperThan } from './json-depth';
import { noteUnreadBody } from './unread-body';

const BODY_LIMIT = '100kb';

/** How deep a JSON body may nest arrays and objects (the API's own bodies use one or two levels). */
export const MAX_JSON_DEPTH = 32;

/**
 * The request `Content-Encoding`s the API decodes. body-parser also inflates `zstd` on Node ≥ 22.15
 * only: it is refused on every Node version, so an answer never depends on which one runs.
 */
export const CONTENT_CODINGS: readonly string[] = ['identity', 'gzip', 'deflate', 'br'];

/** The one charset of JSON and form bodies (RFC 8259 §8.1: JSON exchanged between systems is UTF-8). */
const CHARSET = 'utf-8';

/**
 * JSON and form bodies (DRF accepts both), read defensively: an unsupported `Content-Encoding` or
 * charset is refused before the body is read, JSON nested deeper than `MAX_JSON_DEPTH` before it
 * is parsed, and every failure the client caused becomes a typed error, so the global filter
 * answers a 4xx `{detail, code}` (logged as a warning) instead of an HTML page or a 500. Form
 * bodies are flat (`extended: false`): `a[b]=1` is a field named `a[b]`, nothing nests; one that
 * is a JSON text is refused (`JsonSentAsFormError`). A non-empty body of any other media type, or
 * of none, is left unread and noted: an endpoint that takes a body answers it 415 (`unread-body.ts`).
 */
export function useBodyParsers(app: INestApplication): void {
  app.use(refuseUnsupportedContentCoding);
  app.use(express.json({ limit: BODY_LIMIT, verify: verifyJsonBody }));
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, verify: verifyFormBody }));
  app.use(noteUnreadBody);
  app.use((error: BodyParserError, request: Request, _response: Response, next: NextFunction) => {
    // A `verify` hook's own error comes back through body-parser, decorated but already typed.
    if (error instanceof AppError || error instanceof ExactHttpError) {
      return next(error);
    }
    return next(bodyReadingError(error, request, { limit: BODY_LIMIT, codings: CONTENT_CODINGS }) ?? error);
  });
}

/** Any body the request declares (`Content-Length`, even 0, or chunked), as body-parser counts one. */
function declaresBody(request: Request): boolean {
  return request.headers['transfer-encoding'] !== undefined || request.headers['content-length'] !== undefined;
}

function refuseUnsupportedContentCoding(request: Request, _response: Response, next: NextFunction): void {
  const coding = (request.headers['content-encoding'] || 'identity').toLowerCase();
  if (declaresBody(request) && !CONTENT_CODINGS.includes(coding)) {
    return next(new UnsupportedContentEncodingError(coding, CONTENT_CODINGS));
  }
  next();
}

/**
 * body-parser's `verify` hook: it runs on the raw (inflated) bytes once they are read, before they
 * are decoded or parsed. `charset` is the request's, lower-cased (`utf-8` when it names none);
 * body-parser has already refused the charsets it cannot decode at all.
 */
function verifyCharset(_request: unknown, _response: unknown, _body: Buffer, charset: string): void {
  if (charset !== CHARSET) {
    throw new UnsupportedCharsetError(charset);
  }
}

/** `{` or `[` first (after blanks): a JSON object or array, never a form's `name=value`. */
function isJsonText(body: Buffer): boolean {
  const first = body.find((byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d);
  return first === 0x7b || first === 0x5b;
}

function verifyFormBody(request: unknown, response: unknown, body: Buffer, charset: string): void {
  verifyCharset(request, response, body, charset);
  if (isJsonText(body)) {
    throw new JsonSentAsFormError();
  }
}

function verifyJsonBody(request: unknown, response: unknown, body: Buffer, charset: string): void {
  verifyCharset(request, response, body, charset);
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new NestingTooDeepError(MAX_JSON_DEPTH);
  }
}
