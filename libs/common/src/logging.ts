import { DynamicModule, LoggerService, Module } from '@nestjs/common';
import { LoggerModule, Params, PinoLogger } from 'nestjs-pino';
import pino, { Logger } from 'pino';
import { errorSerializer } from './error-redaction';
import { NestLogger } from './nest-logger';

export interface LoggingOptions {
  level: string;
  /** Which process writes the line: `api`, `worker`, `cli`. */
  service: string;
  /** 1 = stdout (servers), 2 = stderr (the CLI keeps stdout for its report). */
  fd?: 1 | 2;
}

/** The process's pino logger (`app.get(ROOT_LOGGER)`): what an HTTP app's access log writes with. */
export const ROOT_LOGGER = 'hourglass:root-logger';
export type RootLogger = Logger;

/** Never written to a log: credentials and session cookies (and query values: see error-redaction.ts). */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-refresh-token"]',
  'res.headers["set-cookie"]',
  'res.headers["x-access-token"]',
  'res.headers["x-refresh-token"]',
];

@Module({})
class LoggingModule {}

/** The process's loggers, made before its Nest app so that the app logs its boot as it happens. */
export interface AppLogging {
  /** The pino logger every line goes through (`ROOT_LOGGER` in the app). */
  root: RootLogger;
  /** Nest's logger over `root`: pass it to `NestFactory` as `logger`. */
  nest: LoggerService;
}

/**
 * JSON logs through pino for every app: Nest's `Logger` (nestjs-pino) and `ROOT_LOGGER` write to
 * one synchronous destination. Successful requests log nothing at `info`, so what is written is
 * mostly warnings and errors, the lines that must survive a crash: an asynchronous destination is
 * flushed on 'exit' only, which Nest's shutdown (it re-raises SIGTERM) never emits.
 */
export function appLogging({ level, service, fd = 1 }: LoggingOptions): AppLogging {
  const root = pino(
    {
      level,
      base: { service, pid: process.pid },
      redact: { paths: REDACTED, censor: '[redacted]' },
      // A failed query's parameters and the values PostgreSQL quotes never reach a log line.
      serializers: { err: errorSerializer },
    },
    pino.destination({ fd, sync: true }),
  );
  const params: Params = { pinoHttp: { logger: root } };
  return { root, nest: new NestLogger(new PinoLogger(params), params) };
}

/**
 * The logging module of an app over `logging` (see `appLogging`). No per-request middleware:
 * nestjs-pino's would build a child logger with the whole serialized request and an
 * AsyncLocalStorage context for every request, logged or not. HTTP apps add their own compact
 * access line (apps/api/src/http/access-log.ts).
 */
export function loggingModule({ root }: AppLogging): DynamicModule {
  return {
    module: LoggingModule,
    global: true,
    // `useExisting` with no routes: nestjs-pino provides its `Logger` over `root` and mounts nothing.
    imports: [LoggerModule.forRoot({ pinoHttp: { logger: root }, useExisting: true, forRoutes: [] })],
    providers: [{ provide: ROOT_LOGGER, useValue: root }],
    exports: [ROOT_LOGGER],
  };
}
