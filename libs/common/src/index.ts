export { AppError } from './app-error';
export { parseDuration } from './duration';
export { errorSerializer, redactedMessage } from './error-redaction';
export { INT4_MAX, isIntegerId } from './integer-id';
export {
  DEFAULT_PAGE_SIZE,
  InvalidCursorError,
  MAX_PAGE_SIZE,
  type PageRequest,
  cursorInteger,
  decodeCursor,
  encodeCursor,
  pageSize,
} from './pagination';
export { type AppLogging, ROOT_LOGGER, type RootLogger, appLogging, loggingModule } from './logging';
export { exitOnStartupFailure, startupFailureText } from './startup-failure';
export { SealedText } from './sealed-text';
