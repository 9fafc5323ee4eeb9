export { AppError } from './app-error';
export { parseDuration } from './duration';
export { loggingModule } from './logging';
export { exitOnStartupFailure } from './startup-failure';
