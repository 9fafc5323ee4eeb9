import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ACCESS_HEADER, CSRF_COOKIE, REFRESH_COOKIE, REFRESH_HEADER } from './auth/cookies/token-cookies';
import { METRICS_SECURITY_SCHEME } from './metrics/metrics-token.guard';

export const SWAGGER_PATH = 'api/docs';

/** Swagger UI at /api/docs and the OpenAPI 3 document at /api/docs-json. */
export function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Hourglass')
      .setDescription(
        'Everything that expires: point exchanges held in escrow, JWT sessions, Vinted sessions, WhatsApp QR validation. ' +
          'Errors have the body `{detail, code}` unless an endpoint documents another shape. ' +
          'Every answer carries security headers (`X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, a Content-Security-Policy, HSTS in production) ' +
          'and is never cached (`Cache-Control: no-store`, `Pragma: no-cache`): tokens travel in bodies and headers. ' +
          'Request bodies are JSON or form, in UTF-8, plain or with `Content-Encoding` gzip, deflate or br, at most ' +
          '100 KB once decoded and nested at most 32 levels; anything else is a 4xx (the README lists each answer). ' +
          'The RabbitMQ messages (domain events, WhatsApp worker queues) are described by the AsyncAPI 3 document at `/api/asyncapi.json`.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          description: "METRICS_TOKEN, the scraper's token for GET /metrics (when set).",
        },
        METRICS_SECURITY_SCHEME,
      )
      // Refresh middleware (JWT_REFRESH_MIDDLEWARE) and cookie mode (JWT_AUTH_COOKIE): see the README.
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: REFRESH_HEADER,
          description:
            `JWT_REFRESH_MIDDLEWARE=true: sent with an expired access token on any authenticated route, a refresh token rotates and the request is served; ` +
            `the answer carries the new pair in the \`${ACCESS_HEADER}\` and \`${REFRESH_HEADER}\` response headers (cookie mode, cookie source: the \`${REFRESH_COOKIE}\` cookie instead).`,
        },
        'refreshMiddleware',
      )
      .addCookieAuth(
        REFRESH_COOKIE,
        {
          type: 'apiKey',
          in: 'cookie',
          description: `JWT_AUTH_COOKIE=true: the httpOnly refresh cookie; unsafe methods that rely on it need \`X-CSRF-Token\` = the \`${CSRF_COOKIE}\` cookie.`,
        },
        REFRESH_COOKIE,
      )
      .build(),
  );
  SwaggerModule.setup(SWAGGER_PATH, app, document, { jsonDocumentUrl: `${SWAGGER_PATH}-json` });
}
