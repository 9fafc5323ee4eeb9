import { AppConfig } from '@app/config';
import { BusServerFactory } from '@app/messaging';
import { workerQueues } from '@app/whatsapp';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

/**
 * Builds the worker exactly as `nest start worker` runs it (tests use it too): an HTTP-less Nest
 * application whose only entry point is the bus server on its command queues, started.
 */
export async function createWorkerApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create(WorkerModule.register(config), {
    // Boot logs wait in a buffer for pino; a failed boot is reported once, by the caller.
    logger: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.connectMicroservice({ strategy: app.get(BusServerFactory).create(workerQueues(config)) });
  await app.init();
  await app.startAllMicroservices();
  return app;
}
