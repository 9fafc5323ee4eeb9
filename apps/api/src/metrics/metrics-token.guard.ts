import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '@app/config';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Request } from 'express';
import { ExactHttpError } from '../http/exact-http-error';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="metrics"' };

/** The OpenAPI security scheme of METRICS_TOKEN (declared in swagger.ts). */
export const METRICS_SECURITY_SCHEME = 'metricsToken';

/** Both sides hashed first: equal lengths for `timingSafeEqual`, and no hint of the token's length. */
const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * `GET /metrics` with METRICS_TOKEN set: `Authorization: Bearer <METRICS_TOKEN>` (what Prometheus
 * sends with `authorization: {credentials: …}`), compared in constant time, else 401 with DRF's
 * bodies and codes. Without METRICS_TOKEN the route stays public (see the README).
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(config: AppConfig) {
    this.expected = config.METRICS_TOKEN === undefined ? undefined : digest(config.METRICS_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === undefined) {
      return true;
    }
    const [scheme, token, ...rest] = (context.switchToHttp().getRequest<Request>().headers.authorization ?? '')
      .trim()
      .split(/\s+/);
    if (scheme !== 'Bearer' || token === undefined || token === '') {
      throw new ExactHttpError(
        401,
        { detail: 'Authentication credentials were not provided.', code: 'not_authenticated' },
        CHALLENGE,
      );
    }
    if (rest.length > 0 || !timingSafeEqual(digest(token), this.expected)) {
      throw new ExactHttpError(
        401,
        { detail: 'Incorrect authentication credentials.', code: 'authentication_failed' },
        CHALLENGE,
      );
    }
    return true;
  }
}
