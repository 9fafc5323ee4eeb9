import { AppError } from '@app/common';

/**
 * The broker did not confirm a message in time (it is down or unreachable). Answered 503: the
 * request did nothing the client has to undo and can be retried.
 */
export class BusUnavailableError extends AppError {
  constructor(readonly reason: string) {
    super('bus_unavailable', 'The message broker is unavailable. Try again in a few seconds.', 503);
  }
}
