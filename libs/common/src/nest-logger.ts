import { Logger } from 'nestjs-pino';

/**
 * Nest's own account of its boot: a line per module, controller and route (about 80 for the API),
 * then "successfully started". Detail for `debug`: at `info` a start says what Hourglass itself
 * did (the database it opened, the migrations it applied, the port it listens on).
 */
const BOOT_DETAIL_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
  'NestMicroservice',
]);
/**
 * Said by `app.init()`, before `listen()`: a start whose port is taken would claim success. The
 * API's own ready line ("Hourglass API ready … on port …") is said once it listens.
 */
const PREMATURE_READY = 'Nest application successfully started';
/**
 * Where Nest logs what stopped a start (the listen error, the exception out of the boot) before
 * handing it to the caller, which reports it once on stderr (`exitOnStartupFailure`).
 */
const FAILED_BOOT_CONTEXTS = new Set(['NestApplication', 'ExceptionHandler']);

function contextOf(params: unknown[]): unknown {
  return params.at(-1);
}

/**
 * The Nest logger of every app (nestjs-pino's, over the process's pino): given to `NestFactory`
 * itself rather than attached once the app is built, so each boot line is written when it
 * happens, with its own time, instead of all at once from a buffer.
 */
export class NestLogger extends Logger {
  override log(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    if (typeof context === 'string' && BOOT_DETAIL_CONTEXTS.has(context)) {
      if (message !== PREMATURE_READY) {
        super.debug(message, ...params);
      }
      return;
    }
    super.log(message, ...params);
  }

  override error(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    if (typeof context === 'string' && FAILED_BOOT_CONTEXTS.has(context)) {
      super.debug(message, ...params);
      return;
    }
    super.error(message, ...params);
  }
}
