import { AppConfig } from '@app/config';
import { NestExpressApplication } from '@nestjs/platform-express';
import { ACCESS_HEADER, CSRF_HEADER, REFRESH_HEADER } from '../auth/cookies/token-cookies';

/**
 * CORS for the front ends of CORS_ORIGINS (none by default). Credentials are allowed for cookie
 * mode; the refresh middleware's new pair and the throttler's Retry-After are exposed, else a
 * browser script could not read them.
 */
export function enableCors(app: NestExpressApplication, config: AppConfig): void {
  const origins = config.corsOrigins;
  if (origins.length === 0) {
    return;
  }
  app.enableCors({
    origin: origins,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', REFRESH_HEADER, CSRF_HEADER, 'Idempotency-Key'],
    exposedHeaders: [ACCESS_HEADER, REFRESH_HEADER, 'Retry-After'],
    maxAge: 600,
  });
}
