import { isAxiosError } from 'axios';
import type { ApiErrorBody } from './contract.types';

/**
 * A non-2xx answer from Hourglass. `code` is the body's stable identifier (`token_not_valid`,
 * `insufficient_points`, `token_expired`, …) when it has one; `detail` its sentence.
 */
export class HourglassApiError extends Error {
  override readonly name = 'HourglassApiError';
  /** HTTP status (401, 409, …). */
  readonly status: number;
  /** The body's `code`, if any. */
  readonly code: string | undefined;
  /** The body's `detail`, or the status text when the body has none. */
  readonly detail: string;
  /** The parsed body as received (field errors, `messages`, `pointsRestored`, …). */
  readonly body: ApiErrorBody;
  /** Response headers, lower-cased (`retry-after`, `www-authenticate`, …). */
  readonly headers: Record<string, string>;
  /** Method and URL of the failed request, for logs (never its headers: they hold the token). */
  readonly request: { method: string; url: string };

  constructor(init: {
    status: number;
    body: unknown;
    request: { method: string; url: string };
    headers?: Record<string, string>;
    statusText?: string;
    cause?: unknown;
  }) {
    const { status, request } = init;
    const body = isObject(init.body) ? (init.body as ApiErrorBody) : {};
    const detail =
      typeof body.detail === 'string'
        ? body.detail
        : typeof init.body === 'string' && init.body.trim() !== ''
          ? init.body.trim().slice(0, 200)
          : init.statusText || `HTTP ${status}`;
    super(
      `${request.method} ${request.url} → ${status}: ${detail}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.status = status;
    this.code = typeof body.code === 'string' ? body.code : undefined;
    this.detail = detail;
    this.body = body;
    this.headers = init.headers ?? {};
    this.request = request;
  }

  /**
   * Wraps an axios error that carries a response; null for network errors and anything else.
   * The axios error itself is not kept: its config holds the `Authorization` header.
   */
  static fromAxios(error: unknown, cause?: unknown): HourglassApiError | null {
    if (!isAxiosError(error) || !error.response) {
      return null;
    }
    const { response, config } = error;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers ?? {})) {
      if (value !== undefined && value !== null) {
        headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      }
    }
    return new HourglassApiError({
      status: response.status,
      body: response.data,
      request: { method: (config?.method ?? 'get').toUpperCase(), url: config?.url ?? '' },
      headers,
      statusText: response.statusText,
      cause,
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
