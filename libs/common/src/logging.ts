import { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';

export interface LoggingOptions {
  level: string;
  /** Which process writes the line: `api`, `worker`, `cli`. */
  service: string;
  /** 1 = stdout (servers), 2 = stderr (the CLI keeps stdout for its report). */
  fd?: 1 | 2;
}

/** Never written to a log: credentials and session cookies. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-refresh-token"]',
  'res.headers["set-cookie"]',
  'res.headers["x-access-token"]',
  'res.headers["x-refresh-token"]',
];

/** JSON logs through pino for every app, with request logging on HTTP apps. */
export function loggingModule({ level, service, fd = 1 }: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { service, pid: process.pid },
      redact: { paths: REDACTED, censor: '[redacted]' },
      stream: pino.destination({ fd, sync: fd === 2 }),
      // Probes and scrapes every few seconds would drown the useful lines.
      autoLogging: { ignore: (req) => /^\/(api\/health|metrics)/.test(req.url ?? '') },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    },
  });
}
