import { HttpStatus } from '@nestjs/common';

/** The body of every error the API sends, unless an endpoint's contract fixes another shape. */
export interface ErrorBody {
  detail: string;
  code: string;
  [extra: string]: unknown;
}

/** Stable codes for errors that do not come from a domain error class. */
export const STATUS_CODES: Partial<Record<number, string>> = {
  [HttpStatus.BAD_REQUEST]: 'bad_request',
  [HttpStatus.UNAUTHORIZED]: 'not_authenticated',
  [HttpStatus.FORBIDDEN]: 'permission_denied',
  [HttpStatus.NOT_FOUND]: 'not_found',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'method_not_allowed',
  [HttpStatus.CONFLICT]: 'conflict',
  [HttpStatus.GONE]: 'gone',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'payload_too_large',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'unsupported_media_type',
  [HttpStatus.TOO_MANY_REQUESTS]: 'throttled',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'service_unavailable',
};

export function codeForStatus(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'error');
}
