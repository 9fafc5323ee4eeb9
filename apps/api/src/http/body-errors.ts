import { AppError } from '@app/common';
import { HttpStatus } from '@nestjs/common';
import { Request } from 'express';
import { codeForStatus } from './error-body';
import { ExactHttpError } from './exact-http-error';
import { JsonParseError, PayloadTooLargeError } from './request-errors';

/**
 * A `Content-Encoding` the API does not decode: 415 with the codings it does in `Accept-Encoding`,
 * as RFC 9110 §12.5.3 asks (so a client can tell it from a refused media type).
 */
export class UnsupportedContentEncodingError extends ExactHttpError {
  constructor(encoding: string, accepted: readonly string[]) {
    super(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      {
        detail: `Unsupported Content-Encoding ${JSON.stringify(encoding.slice(0, 40))}: the API reads ${accepted.join(', ')}.`,
        code: 'unsupported_content_encoding',
      },
      { 'Accept-Encoding': accepted.filter((coding) => coding !== 'identity').join(', ') },
    );
  }
}

/**
 * A non-empty body of a media type the API does not read, or with no `Content-Type`, on an
 * endpoint that takes a body: DRF's `UnsupportedMediaType`, with what to send instead.
 */
export class UnsupportedMediaTypeError extends AppError {
  constructor(mediaType: string | undefined, accepted: readonly string[]) {
    const what =
      mediaType === undefined
        ? 'The request body has no Content-Type'
        : `Unsupported media type ${JSON.stringify(mediaType.slice(0, 80))} in request`;
    super('unsupported_media_type', `${what}: send it as ${accepted.join(' or ')}.`, HttpStatus.UNSUPPORTED_MEDIA_TYPE);
  }
}

/**
 * A form body that is a JSON text (curl's `-d '{"points":1}'` without a JSON `Content-Type`):
 * read as a form it is one field named after the whole text, which no endpoint has.
 */
export class JsonSentAsFormError extends AppError {
  constructor() {
    super(
      'json_sent_as_form',
      'The body is JSON but its Content-Type is application/x-www-form-urlencoded (what curl -d sends by default): send it with Content-Type: application/json.',
      HttpStatus.BAD_REQUEST,
    );
  }
}

/** The body is not encoded as its `Content-Encoding` says (plain JSON sent as `gzip`, a truncated stream). */
export class BadContentEncodingError extends AppError {
  constructor(encoding: string) {
    super('bad_content_encoding', `The body is not valid ${encoding} data.`, HttpStatus.BAD_REQUEST);
  }
}

export class UnsupportedCharsetError extends AppError {
  constructor(charset: string) {
    super(
      'unsupported_charset',
      `Unsupported charset ${JSON.stringify(charset.slice(0, 40))}: send the body as utf-8.`,
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    );
  }
}

/** Arrays and objects nested deeper than the limit: refused before anything recursive reads the body. */
export class NestingTooDeepError extends AppError {
  constructor(limit: number) {
    super(
      'nesting_too_deep',
      `The body nests arrays and objects more than ${limit} levels deep.`,
      HttpStatus.BAD_REQUEST,
    );
  }
}

export class TooManyParametersError extends AppError {
  constructor() {
    super('too_many_parameters', 'The form body has too many fields.', HttpStatus.PAYLOAD_TOO_LARGE);
  }
}

/** The client left before its body arrived (the answer reaches nobody; the log line says what happened). */
export class RequestAbortedError extends AppError {
  constructor() {
    super('request_aborted', 'The request was aborted before its body was read.', HttpStatus.BAD_REQUEST);
  }
}

export class ContentLengthMismatchError extends AppError {
  constructor() {
    super('content_length_mismatch', 'The body is not as long as its Content-Length says.', HttpStatus.BAD_REQUEST);
  }
}

/** What body-parser (and raw-body, http-errors) attach to the errors they pass on. */
export interface BodyParserError extends Error {
  status?: number;
  type?: string;
  charset?: string;
  encoding?: string;
}

interface BodyLimits {
  limit: string;
  codings: readonly string[];
}

/** body-parser's and raw-body's error `type`s, each with its typed error. */
const TYPED_ERRORS: Partial<Record<string, (error: BodyParserError, limits: BodyLimits) => Error>> = {
  'entity.parse.failed': (error) => new JsonParseError(error.message),
  'entity.too.large': (_error, { limit }) => new PayloadTooLargeError(limit),
  'parameters.too.many': () => new TooManyParametersError(),
  'encoding.unsupported': (error, { codings }) => new UnsupportedContentEncodingError(error.encoding ?? '?', codings),
  'charset.unsupported': (error) => new UnsupportedCharsetError(error.charset ?? '?'),
  'request.aborted': () => new RequestAbortedError(),
  'request.size.invalid': () => new ContentLengthMismatchError(),
};

/**
 * The typed error for a body-parser failure that the client caused (a 4xx `status`), so the
 * filter answers `{detail, code}` and the access log writes a warning instead of a 500 with a
 * stack. A 5xx (raw-body's `stream.encoding.set` or `stream.not.readable`: another middleware
 * read the stream first) is a server bug and stays one: `undefined`.
 */
export function bodyReadingError(error: BodyParserError, request: Request, limits: BodyLimits): Error | undefined {
  const status = error.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) {
    return undefined;
  }
  const typed = error.type === undefined ? undefined : TYPED_ERRORS[error.type];
  if (typed !== undefined) {
    return typed(error, limits);
  }
  const encoding = request.headers['content-encoding']?.toLowerCase() || 'identity';
  if (error.type === undefined && encoding !== 'identity') {
    // zlib's own error (Z_DATA_ERROR, Z_BUF_ERROR, a brotli format error), passed on with status 400.
    return new BadContentEncodingError(encoding);
  }
  return new AppError(codeForStatus(status), `The request body could not be read: ${error.message}.`, status);
}
