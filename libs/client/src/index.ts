/**
 * @app/client — the typed Hourglass HTTP client for front ends (browser-safe: imports axios only).
 */
export { createHourglassClient, type HourglassClient, type HourglassClientOptions } from './hourglass-client';
export {
  installAuthInterceptor,
  type AuthController,
  type AuthFailureHandler,
  type AuthInterceptorOptions,
  type HourglassRequestOptions,
} from './auth.interceptor';
export { HourglassApiError } from './api.errors';
export {
  followStream,
  type EventSourceConstructor,
  type EventSourceLike,
  type FollowOptions,
  type StreamSource,
} from './event-stream';
export { SseParser, type ServerSentEvent } from './sse-parser';
export {
  MemoryTokenStore,
  StorageTokenStore,
  type MaybePromise,
  type StorageLike,
  type TokenStore,
} from './token-store';
export type * from './contract.types';
