import 'reflect-metadata';
import { AppConfig, loadConfigOrExit } from '@app/config';
import { CommandFactory } from 'nest-commander';
import { Logger } from 'nestjs-pino';
import { CliModule } from './cli.module';
import { exitOnCommandFailure } from './output/command-failure';

async function run(config: AppConfig, onFailure: (error: unknown) => never): Promise<void> {
  const app = await CommandFactory.createWithoutRunning(CliModule.register(config), {
    logger: false,
    bufferLogs: true,
    errorHandler: onFailure,
    serviceErrorHandler: onFailure,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  await CommandFactory.runApplication(app);
  await app.close();
}

const { config } = loadConfigOrExit();
const onFailure = exitOnCommandFailure(config.debugLogging);
run(config, onFailure).catch(onFailure);
