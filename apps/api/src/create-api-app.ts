import { appLogging } from '@app/common';
import { AppConfig } from '@app/config';
import { BusServerFactory, WORKER_EVENTS_QUEUE } from '@app/messaging';
import { workerQueues } from '@app/whatsapp';
import { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { ApiModule } from './api.module';
import { serveConsole } from './console/console-static';
import { accessLog } from './http/access-log';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { enableCors } from './http/cors';
import { useBodyParsers } from './http/body-parsers';
import { refuseNullCharactersInUrl } from './http/null-characters';
import { onRequestEnd } from './http/request-end';
import { RouteTable } from './http/route-table';
import { securityHeaders } from './http/security-headers';
import { UnreadBodyGuard } from './http/unread-body';
import { apiValidationPipe } from './http/validation-pipe';
import { httpMetrics } from './metrics/http-metrics';
import { setupSwagger } from './swagger';

/**
 * Builds the API application exactly as `npm start` runs it (tests use it too): migrations
 * applied, bus consumers started, not yet listening.
 */
export async function createApiApp(config: AppConfig, extraModules: Type[] = []): Promise<NestExpressApplication> {
  const logging = appLogging({ level: config.LOG_LEVEL, service: 'api' });
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.register(config, logging, extraModules), {
    // Boot lines are written as they happen; a failed boot is reported once, by the caller.
    logger: logging.nest,
    bodyParser: false,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  app.set('trust proxy', 'loopback');
  // Answers are computed per request: an ETag would hash every body for caches that never revalidate.
  app.set('etag', false);
  app.use(onRequestEnd(accessLog(logging.root), httpMetrics()));
  app.use(securityHeaders(config));
  enableCors(app, config);
  serveConsole(app);
  app.use(refuseNullCharactersInUrl);
  useBodyParsers(app);

  // Routes are known only once the app is initialised; the filter reads them lazily.
  const routes: { table?: RouteTable } = {};
  app.useGlobalFilters(new AllExceptionsFilter(() => routes.table));
  app.useGlobalPipes(apiValidationPipe());
  // After the APP_GUARDs (authentication first): see UnreadBodyGuard.
  app.useGlobalGuards(new UnreadBodyGuard());
  setupSwagger(app);

  const queues = [WORKER_EVENTS_QUEUE, ...(config.embeddedBus ? workerQueues(config) : [])];
  app.connectMicroservice({ strategy: app.get(BusServerFactory).create(queues) }, { inheritAppConfig: true });
  await app.init();
  await app.startAllMicroservices();
  routes.table = RouteTable.of(app);
  return app;
}
