import 'reflect-metadata';
import { exitOnStartupFailure } from '@app/common';
import { AppConfig, loadConfigOrExit, whatsappDriverLine } from '@app/config';
import { workerQueues } from '@app/whatsapp';
import { Logger } from 'nestjs-pino';
import { createWorkerApp } from './create-worker-app';

async function bootstrap(config: AppConfig): Promise<void> {
  if (config.embeddedBus) {
    process.stderr.write(
      'The worker needs AMQP_URL (e.g. amqp://guest:guest@127.0.0.1:5672); without it `npm start` runs the worker inside the API process.\n',
    );
    process.exit(1);
  }
  const app = await createWorkerApp(config);
  const queues = workerQueues(config).join(', ');
  const logger = app.get(Logger);
  logger.log(whatsappDriverLine(config), 'WhatsApp');
  logger.log(`Worker ${config.WORKER_ID} is waiting for commands on ${queues}`, 'Worker');
}

const { config } = loadConfigOrExit();
bootstrap(config).catch((error: unknown) => exitOnStartupFailure('Worker failed to start', error, config.debugLogging));
