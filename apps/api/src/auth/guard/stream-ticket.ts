import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { Request } from 'express';

/** The stream a request opens, named from its path parameters; `undefined` when they name none. */
export type StreamOfRequest = (params: Request['params']) => string | undefined;

export const STREAM_TICKET = 'hourglass:stream-ticket';

/**
 * An event stream that also lets a stream ticket in (`?ticket=…`, from the stream's
 * `POST …/ticket/`), for clients that cannot send an `Authorization` header: a browser's
 * `EventSource`. `stream` names the stream a request opens, exactly as the ticket endpoint named it
 * when it issued the ticket. The route's access policy still applies, to the ticket's user.
 */
export const AcceptsStreamTicket = (stream: StreamOfRequest) =>
  applyDecorators(
    SetMetadata(STREAM_TICKET, stream),
    ApiQuery({
      name: 'ticket',
      required: false,
      schema: { type: 'string', maxLength: 43 },
      description:
        'A stream ticket, in place of the `Authorization` header (for `EventSource`): single use, valid 60 s. An invalid, used or expired one answers 401 `ticket_not_valid`.',
    }),
  );

/**
 * The ticket a request presents: its `ticket` query value, when it sends no `Authorization` header
 * (a Bearer token wins). `''` for a malformed one (repeated, or not a string), which no ticket matches.
 */
export function presentedTicket(request: Request): string | undefined {
  if (request.headers.authorization !== undefined) {
    return undefined;
  }
  const value: unknown = (request.query as Record<string, unknown>).ticket;
  if (value === undefined) {
    return undefined;
  }
  return typeof value === 'string' ? value : '';
}
