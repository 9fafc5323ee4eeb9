import { appLogging } from '@app/common';
import { AppConfig } from '@app/config';
import { BusServerFactory } from '@app/messaging';
import { workerQueues } from '@app/whatsapp';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from './worker.module';

/**
 * Builds the worker exactly as `nest start worker` runs it (tests use it too): an HTTP-less Nest
 * application whose only entry point is the bus server on its command queues, started.
 */
export async function createWorkerApp(config: AppConfig): Promise<INestApplication> {
  const logging = appLogging({ level: config.LOG_LEVEL, service: 'worker' });
  const app = await NestFactory.create(WorkerModule.register(config, logging), {
    // Boot lines are written as they happen; a failed boot is reported once, by the caller.
    logger: logging.nest,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  app.connectMicroservice({ strategy: app.get(BusServerFactory).create(workerQueues(config)) });
  await app.init();
  await app.startAllMicroservices();
  return app;
}
