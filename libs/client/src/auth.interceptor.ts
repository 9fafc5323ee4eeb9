import { isAxiosError, type AxiosInstance, type AxiosRequestConfig, type InternalAxiosRequestConfig } from 'axios';
import { HourglassApiError } from './api.errors';
import type { TokenPair, TokenRefreshResponse } from './contract.types';
import type { TokenStore } from './token-store';

/** Per-request options of the Hourglass client, read by its interceptors. */
export interface HourglassRequestOptions {
  /** Send no `Authorization` header and never refresh for this request (public endpoints). */
  skipAuth?: boolean;
}

/** Internal bookkeeping carried on a request's config. */
interface AuthState extends HourglassRequestOptions {
  /** The access token the request was sent with (null: none). */
  sentAccess?: string | null;
  /** Set on the one retry after a refresh: a retry is never retried again. */
  retried?: boolean;
}

declare module 'axios' {
  // Declaration merging must repeat axios's own type parameters.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unused-vars
  interface AxiosRequestConfig<D = any, P = any> {
    /** Hourglass client options (see HourglassRequestOptions). */
    hourglass?: HourglassRequestOptions;
  }
}

type Config = InternalAxiosRequestConfig & { hourglass?: AuthState };

export const REFRESH_PATH = '/api/token/refresh/';

/**
 * simplejwt's own endpoints (obtain, refresh, verify, blacklist), with or without the trailing
 * slash, relative or absolute: they are never given a Bearer header nor retried after a refresh.
 */
const TOKEN_ENDPOINT = /\/api\/token(?:\/(?:refresh|verify|blacklist))?\/?(?:[?#]|$)/;

/** What a refresh failure reports to `onAuthFailure`. */
export type AuthFailureHandler = (error: HourglassApiError) => void | Promise<void>;

export interface AuthInterceptorOptions {
  tokenStore: TokenStore;
  /** Called once per refresh the server refused (the seed's `redirectToLogin`); the store is cleared first. */
  onAuthFailure?: AuthFailureHandler;
}

/** The single-flight refresh shared by the interceptors and `client.refreshToken()`. */
export interface AuthController {
  /** Rotates the stored pair; concurrent callers share one `POST /api/token/refresh/`. */
  refresh(): Promise<TokenPair>;
}

/**
 * Installs the seed's interceptor, done right, on an axios instance:
 * - attaches `Authorization: Bearer <access>` from the store (waiting for a refresh in flight);
 * - on 401 `token_not_valid`, refreshes once for all concurrent failures, stores the rotated pair
 *   and retries each original request once (a request whose token was already rotated by someone
 *   else just retries with the new one);
 * - when the server refuses the refresh (400/401), clears the store and calls `onAuthFailure`
 *   once; a network or 5xx failure of the refresh keeps the tokens and only fails the requests;
 * - turns every non-2xx answer into a `HourglassApiError`.
 */
export function installAuthInterceptor(instance: AxiosInstance, options: AuthInterceptorOptions): AuthController {
  const { tokenStore, onAuthFailure } = options;
  let inFlight: Promise<TokenPair> | null = null;

  const skips = (config: Config): boolean =>
    config.hourglass?.skipAuth === true || TOKEN_ENDPOINT.test(config.url ?? '');

  async function rotate(): Promise<TokenPair> {
    const current = await tokenStore.get();
    if (!current) {
      throw new HourglassApiError({
        status: 401,
        body: { detail: 'No refresh token stored.', code: 'not_authenticated' },
        request: { method: 'POST', url: REFRESH_PATH },
      });
    }
    try {
      const request: AxiosRequestConfig = { hourglass: { skipAuth: true } };
      const { data } = await instance.post<TokenRefreshResponse>(REFRESH_PATH, { refresh: current.refresh }, request);
      const pair: TokenPair = { access: data.access, refresh: data.refresh ?? current.refresh };
      await tokenStore.set(pair);
      return pair;
    } catch (error) {
      if (error instanceof HourglassApiError && error.status >= 400 && error.status < 500) {
        await tokenStore.clear();
        notify(onAuthFailure, error);
      }
      throw error;
    }
  }

  function refresh(): Promise<TokenPair> {
    inFlight ??= rotate().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  /** After a 401 token_not_valid: true when the request may be retried with a fresher token. */
  async function recover(sentAccess: string | null): Promise<boolean> {
    if (!inFlight) {
      const current = await tokenStore.get();
      if (!inFlight) {
        if (!current) {
          return false; // logged out meanwhile (or a refresh already failed and was reported)
        }
        if (current.access !== sentAccess) {
          return true; // rotated by someone else since this request left
        }
      }
    }
    await refresh();
    return true;
  }

  instance.interceptors.request.use(async (config: Config) => {
    if (skips(config)) {
      return config;
    }
    if (inFlight) {
      await inFlight.catch(() => undefined);
    }
    const pair = await tokenStore.get();
    if (pair) {
      config.headers.set('Authorization', `Bearer ${pair.access}`);
    }
    config.hourglass = { ...config.hourglass, sentAccess: pair?.access ?? null };
    return config;
  });

  instance.interceptors.response.use(undefined, async (error: unknown) => {
    const apiError = HourglassApiError.fromAxios(error);
    if (!apiError || !isAxiosError(error)) {
      throw error; // no answer: network failure, timeout, cancellation
    }
    const config = error.config as Config | undefined;
    if (
      !config ||
      apiError.status !== 401 ||
      apiError.code !== 'token_not_valid' ||
      skips(config) ||
      config.hourglass?.retried
    ) {
      throw apiError;
    }
    let recovered: boolean;
    try {
      recovered = await recover(config.hourglass?.sentAccess ?? null);
    } catch (refreshError) {
      throw HourglassApiError.fromAxios(error, refreshError) ?? apiError;
    }
    if (!recovered) {
      throw apiError;
    }
    const retry: Config = { ...config, hourglass: { ...config.hourglass, retried: true } };
    return instance.request(retry);
  });

  return { refresh };
}

/** Calls the hook without letting its failure (sync or async) break the client. */
function notify(hook: AuthFailureHandler | undefined, error: HourglassApiError): void {
  if (!hook) {
    return;
  }
  try {
    void Promise.resolve(hook(error)).catch(() => undefined);
  } catch {
    // a throwing hook must not hide the original error
  }
}
