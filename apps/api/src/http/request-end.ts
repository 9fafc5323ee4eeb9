import { performance } from 'node:perf_hooks';
import { NextFunction, Request, RequestHandler, Response } from 'express';

/** Work done once a request has ended (answered, or the client left), given its duration in ms. */
export type RequestEndHook = (request: Request, response: Response, ms: number) => void;

/**
 * Runs `hooks` (the access log, the duration histogram) when each request ends, from a single
 * listener: one closure and one listener per request whatever the number of hooks.
 */
export function onRequestEnd(...hooks: RequestEndHook[]): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = performance.now();
    // 'close' follows 'finish' on a completed response, and comes alone when the client left.
    response.once('close', () => {
      const ms = performance.now() - started;
      for (const hook of hooks) {
        hook(request, response, ms);
      }
    });
    next();
  };
}
