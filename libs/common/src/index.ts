export { AppError } from './app-error';
export { parseDuration } from './duration';
export { ExactHttpError } from './exact-http-error';
export { loggingModule } from './logging';
export { exitOnStartupFailure } from './startup-failure';
