export { AppError } from './app-error';
export { parseDuration } from './duration';
export { ROOT_LOGGER, type RootLogger, loggingModule } from './logging';
export { exitOnStartupFailure } from './startup-failure';
