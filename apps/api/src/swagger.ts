import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const SWAGGER_PATH = 'api/docs';

/** Swagger UI at /api/docs and the OpenAPI 3 document at /api/docs-json. */
export function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Hourglass')
      .setDescription(
        'Everything that expires: point exchanges held in escrow, JWT sessions, Vinted sessions, WhatsApp QR validation. ' +
          'Errors have the body `{detail, code}` unless an endpoint documents another shape.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup(SWAGGER_PATH, app, document, { jsonDocumentUrl: `${SWAGGER_PATH}-json` });
}
