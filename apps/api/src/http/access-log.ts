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

/** 5xx are errors and 4xx warnings (logged at the default `info`); the rest is `debug`. */
function levelOf(status: number): AccessLevel {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'debug';
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
