import 'reflect-metadata';
import { AddressInfo } from 'node:net';
import { exitOnStartupFailure } from '@app/common';
import { loadConfigOrExit } from '@app/config';
import { Logger } from 'nestjs-pino';
import { createApiApp } from './create-api-app';
import { SWAGGER_PATH } from './swagger';

async function bootstrap(): Promise<void> {
  const startedAt = Date.now();
  const { config, warnings } = loadConfigOrExit();
  const app = await createApiApp(config);
  const logger = app.get(Logger);
  warnings.forEach((warning) => logger.warn(warning, 'Config'));
  await app.listen(config.PORT);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const mode = [
    config.embeddedDatabase ? `embedded PostgreSQL in ${config.DATA_DIR}` : 'PostgreSQL server',
    config.embeddedBus ? 'in-process bus with the worker in this process' : 'RabbitMQ',
  ].join(', ');
  logger.log(`Hourglass API ready in ${Date.now() - startedAt} ms on port ${port} (${mode})`, 'Bootstrap');
  process.stdout.write(
    `Hourglass is listening on http://localhost:${port} - Swagger UI: http://localhost:${port}/${SWAGGER_PATH}\n`,
  );
}

bootstrap().catch((error: unknown) => exitOnStartupFailure('Hourglass failed to start', error));
