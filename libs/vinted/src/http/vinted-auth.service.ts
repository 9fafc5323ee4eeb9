import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import {
  ACCESS_COOKIE,
  CookieJar,
  REFRESH_COOKIE,
  SessionTokens,
  applySetCookies,
  extractTokens,
  serializeCookies,
} from '../cookies/vinted-cookies';
import { VintedHttpClient, VintedHttpResponse, VintedNetworkError } from './vinted-http.client';

export const REFRESH_PATH = '/web/api/auth/refresh';
/** Well under the scheduler's lease (VintedSessionsRepository), so a lease never lapses mid-call. */
export const REFRESH_TIMEOUT_MS = 10_000;
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

/**
 * What a refresh came to:
 * - `ok`: new tokens (the jar to store);
 * - `dead`: 401, the refresh token is refused — only new cookies help (`expired`);
 * - `blocked`: anti-bot (403 captcha-delivery, other 403, 429) — back off, do not mark dead;
 * - `transient`: 5xx, other statuses, network, timeout, malformed Set-Cookie — retry with back-off.
 */
export type RefreshOutcome =
  | { kind: 'ok'; jar: CookieJar; tokens: SessionTokens }
  | { kind: 'dead'; reason: string }
  | { kind: 'blocked'; reason: string; retryAfterMs?: number }
  | { kind: 'transient'; reason: string; retryAfterMs?: number };

/** Classifies an answer of the refresh endpoint. Reasons are short and never quote a token. */
export function classifyRefreshResponse(jar: CookieJar, response: VintedHttpResponse, nowMs: number): RefreshOutcome {
  const retryAfterMs = parseRetryAfter(response.retryAfter, nowMs);
  if (response.status >= 200 && response.status < 300) {
    const next = applySetCookies(jar, response.setCookies, nowMs);
    const rotated = response.setCookies.some((header) => header.trim().startsWith(`${ACCESS_COOKIE}=`));
    if (!rotated) {
      return { kind: 'transient', reason: `HTTP ${response.status} without a new ${ACCESS_COOKIE} cookie` };
    }
    try {
      return { kind: 'ok', jar: next, tokens: extractTokens(next) };
    } catch {
      return { kind: 'transient', reason: `HTTP ${response.status} with malformed Set-Cookie tokens` };
    }
  }
  if (response.status === 401) {
    const code = /"message_code"\s*:\s*"([a-z_]+)"/.exec(response.body)?.[1];
    return { kind: 'dead', reason: `HTTP 401${code ? ` ${code}` : ''}: Vinted refused the refresh token` };
  }
  if (response.status === 403) {
    const captcha = response.body.includes('captcha-delivery');
    return {
      kind: 'blocked',
      reason: captcha ? 'HTTP 403 captcha challenge (anti-bot)' : 'HTTP 403 forbidden (anti-bot)',
      retryAfterMs,
    };
  }
  if (response.status === 429) {
    return { kind: 'blocked', reason: 'HTTP 429 rate limited (anti-bot)', retryAfterMs };
  }
  return { kind: 'transient', reason: `HTTP ${response.status} from Vinted`, retryAfterMs };
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim()) * 1000;
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Talks to Vinted's auth API: one refresh call, classified. Knows nothing of storage or locks. */
@Injectable()
export class VintedAuthService {
  /** Per-call timeout; tests shorten it to exercise the timeout path quickly. */
  timeoutMs = REFRESH_TIMEOUT_MS;

  constructor(
    private readonly http: VintedHttpClient,
    private readonly config: AppConfig,
  ) {}

  /** `POST {VINTED_BASE_URL}/web/api/auth/refresh` with the session's cookies. Never throws. */
  async refresh(jar: CookieJar): Promise<RefreshOutcome> {
    if (!jar.get(REFRESH_COOKIE)) {
      return { kind: 'dead', reason: `no ${REFRESH_COOKIE} cookie stored` };
    }
    try {
      const response = await this.http.send({
        method: 'POST',
        url: new URL(REFRESH_PATH, this.config.VINTED_BASE_URL).toString(),
        headers: {
          cookie: serializeCookies(jar),
          accept: 'application/json, text/plain, */*',
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
        },
        timeoutMs: this.timeoutMs,
      });
      return classifyRefreshResponse(jar, response, Date.now());
    } catch (error) {
      if (error instanceof VintedNetworkError) {
        return {
          kind: 'transient',
          reason: error.kind === 'timeout' ? `timeout: ${error.message}` : `network error: ${error.message}`,
        };
      }
      return { kind: 'transient', reason: 'unexpected error calling Vinted' };
    }
  }
}
