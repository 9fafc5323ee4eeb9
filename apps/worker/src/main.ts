import 'reflect-metadata';
import { exitOnStartupFailure } from '@app/common';
import { loadConfigOrExit } from '@app/config';
import { BusServerFactory } from '@app/messaging';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';
import { workerQueues } from './worker-queues';

async function bootstrap(): Promise<void> {
  const { config } = loadConfigOrExit();
  if (config.embeddedBus) {
    process.stderr.write(
      'The worker needs AMQP_URL (e.g. amqp://guest:guest@127.0.0.1:5672); without it `npm start` runs the worker inside the API process.\n',
    );
    process.exit(1);
  }
  // An HTTP-less Nest application: the bus server is its only entry point.
  const app = await NestFactory.create(WorkerModule.register(config), {
    logger: false,
    bufferLogs: true,
    abortOnError: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  const queues = workerQueues(config);
  app.connectMicroservice({ strategy: app.get(BusServerFactory).create(queues) });
  await app.init();
  await app.startAllMicroservices();
  logger.log(`Worker ${config.WORKER_ID} is waiting for commands on ${queues.join(', ')}`, 'Worker');
}

bootstrap().catch((error: unknown) => exitOnStartupFailure('Worker failed to start', error));
