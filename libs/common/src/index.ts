export { AppError } from './app-error';
export { parseDuration } from './duration';
export { errorSerializer, redactedMessage } from './error-redaction';
export { INT4_MAX, isIntegerId } from './integer-id';
export { ROOT_LOGGER, type RootLogger, loggingModule } from './logging';
export { exitOnStartupFailure } from './startup-failure';
