import { AppConfig } from '@app/config';
import pino from 'pino';
import { readyLines } from '../ready-lines';
import { ApiSupervisor } from './api-supervisor';
import { migrateOnce } from './migrate-once';

/**
 * The primary of cluster mode (`API_WORKERS` > 1). It serves nothing itself: it migrates, forks
 * the API processes, keeps them running, says once that the API is ready, and on SIGTERM or
 * SIGINT stops them all gracefully and exits 0.
 */
export async function runApiPrimary(config: AppConfig, warnings: string[], startedAt: number): Promise<void> {
  const size = config.apiWorkers;
  // The same JSON lines as the processes' (nestjs-pino): service, pid, context.
  const log = pino({ level: config.LOG_LEVEL, base: { service: 'api', pid: process.pid } });
  warnings.forEach((warning) => log.warn({ context: 'Config' }, warning));
  const cluster = log.child({ context: 'Cluster' });
  cluster.info(`Starting ${size} API processes (API_WORKERS=${config.API_WORKERS ?? `${size}, one per core`})`);

  await migrateOnce(config);
  const supervisor = new ApiSupervisor(size, cluster);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      return;
    }
    stopping = true;
    cluster.info(`${signal}: stopping the ${size} API processes`);
    void supervisor.stop().then(() => {
      cluster.info('Every API process has stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  let port: number;
  try {
    port = await supervisor.start();
  } catch (error) {
    stopping = true;
    await supervisor.stop();
    throw error;
  }
  const lines = readyLines(config, { port, startedAt, processes: size });
  log.info({ context: 'WhatsApp' }, lines.whatsapp);
  log.info({ context: 'Bootstrap' }, lines.log);
  process.stdout.write(lines.stdout);
}
