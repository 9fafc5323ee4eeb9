import 'reflect-metadata';
import { exitOnStartupFailure } from '@app/common';
import { loadConfigOrExit } from '@app/config';
import { CommandFactory } from 'nest-commander';
import { Logger } from 'nestjs-pino';
import { CliModule } from './cli.module';

const fail = (error: unknown): never => exitOnStartupFailure('Error', error);

async function bootstrap(): Promise<void> {
  const { config } = loadConfigOrExit();
  const app = await CommandFactory.createWithoutRunning(CliModule.register(config), {
    logger: false,
    bufferLogs: true,
    errorHandler: fail,
    serviceErrorHandler: fail,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  await CommandFactory.runApplication(app);
  await app.close();
}

bootstrap().catch(fail);
