import { Injectable } from '@nestjs/common';

export interface VintedHttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export interface VintedHttpResponse {
  status: number;
  /** Every `Set-Cookie` header, one entry each (they cannot be joined with commas). */
  setCookies: string[];
  /** `Retry-After`, if any. */
  retryAfter?: string;
  /** The body as text, cut to a few kilobytes (only classified, never logged). */
  body: string;
}

/** The request never got an answer: connection refused or reset, DNS, or the timeout. */
export class VintedNetworkError extends Error {
  constructor(
    readonly kind: 'timeout' | 'network',
    message: string,
  ) {
    super(message);
    this.name = VintedNetworkError.name;
  }
}

/** The one door to Vinted's HTTP API (tests and benchmarks swap it or point it at a fake). */
export abstract class VintedHttpClient {
  abstract send(request: VintedHttpRequest): Promise<VintedHttpResponse>;
}

const MAX_BODY_CHARS = 4096;

/** Node's global fetch (undici), with a hard timeout and no redirects followed. */
@Injectable()
export class FetchVintedHttpClient extends VintedHttpClient {
  async send(request: VintedHttpRequest): Promise<VintedHttpResponse> {
    const signal = AbortSignal.timeout(request.timeoutMs);
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.method === 'POST' ? '' : undefined,
        redirect: 'manual',
        signal,
      });
      const body = (await response.text()).slice(0, MAX_BODY_CHARS);
      return {
        status: response.status,
        setCookies: response.headers.getSetCookie(),
        retryAfter: response.headers.get('retry-after') ?? undefined,
        body,
      };
    } catch (error) {
      if (signal.aborted) {
        throw new VintedNetworkError('timeout', `no answer within ${request.timeoutMs} ms`);
      }
      // The cause names the failure (ECONNREFUSED…); the message never includes request headers.
      const cause =
        error instanceof Error && error.cause instanceof Error
          ? error.cause.message
          : error instanceof Error
            ? error.message
            : String(error);
      throw new VintedNetworkError('network', cause);
    }
  }
}
