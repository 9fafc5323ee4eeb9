import { AppConfig, whatsappDriverLine } from '@app/config';
import { SWAGGER_PATH } from './swagger';

/**
 * What the API says once it serves: log lines (the WhatsApp driver and why; the mode, and the
 * number of processes in a cluster) and the line for the person who ran `npm start`. Said once, by
 * the process that started.
 */
export function readyLines(
  config: AppConfig,
  { port, startedAt, processes }: { port: number; startedAt: number; processes: number },
): { whatsapp: string; log: string; stdout: string } {
  const mode = [
    config.embeddedDatabase ? `embedded PostgreSQL in ${config.DATA_DIR}` : 'PostgreSQL server',
    config.embeddedBus ? 'in-process bus with the worker in this process' : 'RabbitMQ',
    ...(processes > 1 ? [`${processes} API processes`] : []),
  ].join(', ');
  return {
    whatsapp: whatsappDriverLine(config),
    log: `Hourglass API ready in ${Date.now() - startedAt} ms on port ${port} (${mode})`,
    stdout: `Hourglass is listening on http://localhost:${port} - Swagger UI: http://localhost:${port}/${SWAGGER_PATH}\n`,
  };
}
