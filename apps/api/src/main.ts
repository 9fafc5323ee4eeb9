import 'reflect-metadata';
import cluster from 'node:cluster';
import { exitOnStartupFailure } from '@app/common';
import { AppConfig, loadConfigOrExit } from '@app/config';
import { Logger } from 'nestjs-pino';
import { listen } from './listen';
import { readyLines } from './ready-lines';

/** `API_WORKERS=1`: no cluster, the API is this process. */
async function runSingleProcess(config: AppConfig, warnings: string[], startedAt: number): Promise<void> {
  const { createApiApp } = await import('./create-api-app');
  const app = await createApiApp(config);
  const logger = app.get(Logger);
  warnings.forEach((warning) => logger.warn(warning, 'Config'));
  const port = await listen(app, config.PORT);
  const lines = readyLines(config, { port, startedAt, processes: 1 });
  logger.log(lines.whatsapp, 'WhatsApp');
  logger.log(lines.log, 'Bootstrap');
  process.stdout.write(lines.stdout);
}

async function bootstrap(config: AppConfig, warnings: string[], startedAt: number): Promise<void> {
  // Each branch loads only what it runs: the primary never builds the API itself.
  if (config.apiWorkers === 1) {
    await runSingleProcess(config, warnings, startedAt);
  } else if (cluster.isPrimary) {
    await (await import('./cluster/api-primary')).runApiPrimary(config, warnings, startedAt);
  } else {
    // An API process of a cluster tells its primary why it failed; the primary says it once.
    await (await import('./cluster/api-worker')).runApiWorker(config);
  }
}

const startedAt = Date.now();
const { config, warnings } = loadConfigOrExit();
bootstrap(config, warnings, startedAt).catch((error: unknown) =>
  exitOnStartupFailure('Hourglass failed to start', error, config.debugLogging),
);
