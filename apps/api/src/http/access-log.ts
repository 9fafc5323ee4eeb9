import { RootLogger } from '@app/common';
import { Request } from 'express';
import { loggableUrl } from './loggable-url';
import { RequestEndHook } from './request-end';

type AccessLevel = 'error' | 'warn' | 'debug';

/** A request numbered the first time a line about it is logged. */
type NumberedRequest = Request & { id?: number };

let lastId = 0;

/**
 * The `reqId` of the lines about this request (its access line, the exception filter's): numbered
 * on first use, so a request nothing logs about costs nothing.
 */
export function requestId(request: Request): number {
  const numbered = request as NumberedRequest;
  numbered.id ??= lastId = (lastId % Number.MAX_SAFE_INTEGER) + 1;
  return numbered.id;
}

/** Probes and scrapes every few seconds would drown the useful lines; their failures are logged by the exception filter. */
function isProbe(url: string): boolean {
  return url.startsWith('/api/health') || url.startsWith('/metrics');
}

/**
 * A 5xx is an error, but for a 503: like a 4xx, a warning (logged at the default `info`). A 503 is
 * an answer the API chose, an expected outcome (`requires_configuration`, the database or the
 * broker down), not a bug; its cause is the exception filter's warning. The rest is `debug`.
 */
function levelOf(status: number): AccessLevel {
  if (status >= 500 && status !== 503) {
    return 'error';
  }
  return status >= 400 ? 'warn' : 'debug';
}

/**
 * One compact JSON line per request when it ends: `reqId`, method, URL (stream tickets hidden), status, duration in ms
 * and client IP. Successful requests log at `debug`, so the default `LOG_LEVEL=info` writes
 * nothing for them; the level is checked before anything is built.
 */
export function accessLog(logger: RootLogger): RequestEndHook {
  return (request, response, ms) => {
    const level = levelOf(response.statusCode);
    if (!logger.isLevelEnabled(level) || isProbe(request.originalUrl)) {
      return;
    }
    logger[level](
      {
        reqId: requestId(request),
        method: request.method,
        url: loggableUrl(request.originalUrl),
        status: response.statusCode,
        ms: Math.round(ms * 10) / 10,
        ip: request.ip,
      },
      response.writableFinished ? 'request completed' : 'request aborted',
    );
  };
}
