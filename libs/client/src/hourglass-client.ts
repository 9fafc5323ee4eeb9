import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosStatic } from 'axios';
import { installAuthInterceptor, type AuthFailureHandler } from './auth.interceptor';
import { followStream, type FollowOptions } from './event-stream';
import type {
  EmptyResponse,
  ExchangeToken,
  ExchangeTokenStatusPage,
  ExchangeValidation,
  GrantPointsRequest,
  GrantPointsResponse,
  HealthStatus,
  LedgerPage,
  MarketAnalysisToken,
  PageQuery,
  PointsBalance,
  RegisterRequest,
  RegisteredUser,
  RevokeAllResponse,
  StreamTicket,
  TokenObtainRequest,
  TokenPair,
  VintedAuthState,
  VintedAuthStored,
  VintedSchedulerCommand,
  VintedSchedulerState,
  WhatsAppNumber,
  WhatsAppNumberEvent,
  WhatsAppNumberPage,
} from './contract.types';
import type { TokenStore } from './token-store';

export interface HourglassClientOptions {
  /** The API's origin, e.g. `https://api.example.com` (paths start with `/api/…`). */
  baseURL: string;
  /** Where the access/refresh pair lives (MemoryTokenStore, StorageTokenStore, your own). */
  tokenStore: TokenStore;
  /** Called once per refused refresh, after the store is cleared: send the user to the login page. */
  onAuthFailure?: AuthFailureHandler;
  /** The axios to create the instance with (a pre-configured one, or a test double). */
  axios?: Pick<AxiosStatic, 'create'>;
  /** Extra axios defaults (timeout, headers, adapter, …). */
  config?: AxiosRequestConfig;
}

const PUBLIC: AxiosRequestConfig = { hourglass: { skipAuth: true } };

/** The event types of a number's stream. */
const NUMBER_EVENT_TYPES = ['status', 'qr_generated', 'qr_regenerating', 'connected', 'error'] as const;

/** Creates the typed Hourglass client: an axios instance with the auth interceptor, and one method per endpoint. */
export function createHourglassClient(options: HourglassClientOptions) {
  const { tokenStore } = options;
  const instance: AxiosInstance = (options.axios ?? axios).create({ ...options.config, baseURL: options.baseURL });
  const auth = installAuthInterceptor(instance, { tokenStore, onAuthFailure: options.onAuthFailure });

  const get = async <T>(url: string, config?: AxiosRequestConfig): Promise<T> =>
    (await instance.get<T>(url, config)).data;
  const post = async <T>(url: string, body?: unknown, config?: AxiosRequestConfig): Promise<T> =>
    (await instance.post<T>(url, body, config)).data;
  const page = (query: PageQuery = {}): AxiosRequestConfig => ({
    params: { limit: query.limit, cursor: query.cursor ?? undefined },
  });
  // Streams are opened outside axios (EventSource, fetch): they need the whole URL.
  const streamBase = options.baseURL.replace(/\/+$/, '');
  const numberPath = (id: number | string, suffix = ''): string =>
    `/api/whatsapp/numbers/${encodeURIComponent(String(id))}/${suffix}`;

  return {
    /** The underlying axios instance, for endpoints this client does not wrap yet. */
    axios: instance,
    tokenStore,

    // ── Authentication (CONTRACT §3) ──
    /** `POST /api/token/`: logs in and stores the pair. */
    async obtainToken(credentials: TokenObtainRequest): Promise<TokenPair> {
      const pair = await post<TokenPair>('/api/token/', credentials, PUBLIC);
      await tokenStore.set({ access: pair.access, refresh: pair.refresh });
      return pair;
    },
    /** `POST /api/token/refresh/` with the stored refresh token; shares the interceptor's single flight. */
    refreshToken(): Promise<TokenPair> {
      return auth.refresh();
    },
    /** `POST /api/token/verify/`: resolves `{}` if `token` is valid, throws HourglassApiError otherwise. */
    verifyToken(token: string): Promise<EmptyResponse> {
      return post<EmptyResponse>('/api/token/verify/', { token }, PUBLIC);
    },
    /** `POST /api/token/blacklist/` with the stored refresh token, then clears the store (even if the server refuses). */
    async logout(): Promise<void> {
      const pair = await tokenStore.get();
      try {
        if (pair) {
          await post<EmptyResponse>('/api/token/blacklist/', { refresh: pair.refresh }, PUBLIC);
        }
      } finally {
        await tokenStore.clear();
      }
    },
    /** `POST /api/token/revoke-all/`: logs this user out everywhere, then clears the store. */
    async revokeAll(): Promise<RevokeAllResponse> {
      const result = await post<RevokeAllResponse>('/api/token/revoke-all/');
      await tokenStore.clear();
      return result;
    },
    /** `POST /api/users/register/`: creates a customer (does not log in). */
    register(body: RegisterRequest): Promise<RegisteredUser> {
      return post<RegisteredUser>('/api/users/register/', body, PUBLIC);
    },

    // ── Points and exchange tokens (CONTRACT §4) ──
    /** `GET /api/points/`. */
    getPoints: (): Promise<PointsBalance> => get<PointsBalance>('/api/points/'),
    /** `GET /api/points/ledger/`, newest first. */
    getLedger: (query?: PageQuery): Promise<LedgerPage> => get<LedgerPage>('/api/points/ledger/', page(query)),
    /** `POST /api/admin/points/grant/` (admin). */
    grantPoints: (body: GrantPointsRequest): Promise<GrantPointsResponse> =>
      post<GrantPointsResponse>('/api/admin/points/grant/', body),
    /** `POST /api/exchange-tokens/` (customer); pass an `idempotencyKey` to make retries safe. */
    createExchangeToken: (points: number, opts: { idempotencyKey?: string } = {}): Promise<ExchangeToken> =>
      post<ExchangeToken>(
        '/api/exchange-tokens/',
        { points },
        opts.idempotencyKey === undefined ? undefined : { headers: { 'Idempotency-Key': opts.idempotencyKey } },
      ),
    /** `POST /api/exchange-tokens/validate/` (vendor). */
    validateExchangeToken: (token: string): Promise<ExchangeValidation> =>
      post<ExchangeValidation>('/api/exchange-tokens/validate/', { token }),
    /** `GET /api/exchange-tokens/status/` (customer): active first, then most recent. */
    getExchangeTokenStatus: (query?: PageQuery): Promise<ExchangeTokenStatusPage> =>
      get<ExchangeTokenStatusPage>('/api/exchange-tokens/status/', page(query)),

    // ── Vinted sessions (CONTRACT §5) ──
    /** `POST /api/v1/vinted/auth` with a browser cookie string (`access_token_web`, `refresh_token_web`). */
    postVintedAuth: (cookies: string): Promise<VintedAuthStored> =>
      post<VintedAuthStored>('/api/v1/vinted/auth', { cookies }),
    /** `GET /api/v1/vinted/auth`: the session's state, never a token. */
    getVintedAuth: (): Promise<VintedAuthState> => get<VintedAuthState>('/api/v1/vinted/auth'),
    /** `GET /api/v1/market-analysis/token`. */
    getMarketAnalysisToken: (): Promise<MarketAnalysisToken> =>
      get<MarketAnalysisToken>('/api/v1/market-analysis/token'),
    /** `GET /api/v1/vinted/scheduler` (admin). */
    getScheduler: (): Promise<VintedSchedulerState> => get<VintedSchedulerState>('/api/v1/vinted/scheduler'),
    /** `POST /api/v1/vinted/scheduler` (admin): start, stop or restart; answers the new state. */
    controlScheduler: (command: VintedSchedulerCommand): Promise<VintedSchedulerState> =>
      post<VintedSchedulerState>('/api/v1/vinted/scheduler', command),

    // ── WhatsApp numbers (CONTRACT §6) ──
    /** `POST /api/whatsapp/numbers/` with an E.164 number. */
    registerNumber: (phoneNumber: string): Promise<WhatsAppNumber> =>
      post<WhatsAppNumber>('/api/whatsapp/numbers/', { phoneNumber }),
    /** `POST /api/whatsapp/numbers/:id/validate/` → 202: the worker starts showing QR codes. */
    validateNumber: async (id: number | string): Promise<void> => {
      await post<unknown>(numberPath(id, 'validate/'));
    },
    /** `POST /api/whatsapp/numbers/:id/regenerate-qr/` (admin) → 202. */
    regenerateQr: async (id: number | string): Promise<void> => {
      await post<unknown>(numberPath(id, 'regenerate-qr/'));
    },
    /** `GET /api/whatsapp/numbers/:id/`. */
    getNumber: (id: number | string): Promise<WhatsAppNumber> => get<WhatsAppNumber>(numberPath(id)),
    /** `GET /api/whatsapp/numbers/`: your numbers (every number for an admin), newest first, paginated. */
    listNumbers: (query?: PageQuery): Promise<WhatsAppNumberPage> =>
      get<WhatsAppNumberPage>('/api/whatsapp/numbers/', page(query)),
    /** `POST /api/whatsapp/numbers/:id/events/ticket/`: a ticket that opens the number's event stream once, within 60 s. */
    numberEventsTicket: (id: number | string): Promise<StreamTicket> =>
      post<StreamTicket>(numberPath(id, 'events/ticket/')),
    /**
     * Follows `GET /api/whatsapp/numbers/:id/events/` until `signal` aborts: `onEvent` gets the
     * current `status`, then every worker event. Works in a browser (an `EventSource` opened with
     * a stream ticket, as it cannot send the `Authorization` header) and in Node (read with
     * `fetch`). When the stream ends or drops, it reconnects with a new ticket, and `status`
     * comes first again. Rejects if the number is not yours (404) or you are logged out.
     */
    followNumberEvents: (id: number | string, follow: FollowOptions<WhatsAppNumberEvent>): Promise<void> =>
      followStream<WhatsAppNumberEvent>(
        {
          ticket: () => post<StreamTicket>(numberPath(id, 'events/ticket/')),
          url: `${streamBase}${numberPath(id, 'events/')}`,
          types: NUMBER_EVENT_TYPES,
          parse: ({ type, data }) =>
            (NUMBER_EVENT_TYPES as readonly string[]).includes(type)
              ? ({ type, data: JSON.parse(data) as unknown } as WhatsAppNumberEvent)
              : undefined,
        },
        follow,
      ),

    // ── Operations (CONTRACT §8) ──
    /** `GET /api/health` (liveness). */
    health: (): Promise<HealthStatus> => get<HealthStatus>('/api/health', PUBLIC),
  };
}

/** The object `createHourglassClient` returns. */
export type HourglassClient = ReturnType<typeof createHourglassClient>;
