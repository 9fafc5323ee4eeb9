import 'reflect-metadata';
import { exitOnStartupFailure } from '@app/common';
import { loadConfigOrExit } from '@app/config';
import { CommandFactory } from 'nest-commander';
import { Logger } from 'nestjs-pino';
import { CliModule } from './cli.module';

interface CommanderExit {
  code: string;
  exitCode: number;
}

function isCommanderExit(error: unknown): error is CommanderExit {
  return (
    typeof error === 'object' &&
    error !== null &&
    String((error as Partial<CommanderExit>).code).startsWith('commander.')
  );
}

/** Commander has already printed help, a version or a usage error; anything else gets one line. */
function fail(error: unknown): never {
  if (isCommanderExit(error)) {
    process.exit(error.exitCode);
  }
  return exitOnStartupFailure('Error', error);
}

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
