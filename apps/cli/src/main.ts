import 'reflect-metadata';
import { loadConfigOrExit } from '@app/config';
import { CommandFactory } from 'nest-commander';
import { Logger } from 'nestjs-pino';
import { CliModule } from './cli.module';
import { exitOnCommandFailure } from './output/command-failure';

async function bootstrap(): Promise<void> {
  const { config } = loadConfigOrExit();
  const app = await CommandFactory.createWithoutRunning(CliModule.register(config), {
    logger: false,
    bufferLogs: true,
    errorHandler: exitOnCommandFailure,
    serviceErrorHandler: exitOnCommandFailure,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  await CommandFactory.runApplication(app);
  await app.close();
}

bootstrap().catch(exitOnCommandFailure);
