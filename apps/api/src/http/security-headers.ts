import { NextFunction, Request, Response } from 'express';

/**
 * CONTRACT §8's security headers on every response: no MIME sniffing, never framed (the Swagger
 * UI included). Express's `X-Powered-By` is disabled where the app is built.
 */
export function securityHeaders(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  next();
}
