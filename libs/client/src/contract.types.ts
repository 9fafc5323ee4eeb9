/**
 * Request and response bodies of the Hourglass HTTP API, mirroring ../shared/CONTRACT.md §3–§8.
 * Field names are the contract's; timestamps travel as ISO-8601 strings.
 */

// ── §3 Authentication (djangorestframework-simplejwt compatible) ─────────────────────────────

/** `POST /api/token/` body. */
export interface TokenObtainRequest {
  username: string;
  password: string;
}

/** An access/refresh pair as simplejwt returns it (`POST /api/token/`). */
export interface TokenPair {
  access: string;
  refresh: string;
}

/** `POST /api/token/refresh/` answer: `refresh` is the rotated token (present while rotation is on, the default). */
export interface TokenRefreshResponse {
  access: string;
  refresh?: string;
}

/** `POST /api/token/verify/` and `/api/token/blacklist/` answer `{}`. */
export type EmptyResponse = Record<string, never>;

/** One entry of simplejwt's `messages` array on a 401 from a protected endpoint. */
export interface TokenErrorMessage {
  token_class: 'AccessToken' | 'RefreshToken' | (string & {});
  token_type: 'access' | 'refresh' | (string & {});
  message: string;
}

/**
 * Error body. Every Hourglass error has `detail`; most have `code` (`token_not_valid`,
 * `insufficient_points`, …). simplejwt's 401 adds `messages`; field errors are `{field: [sentences]}`.
 */
export interface ApiErrorBody {
  detail?: string;
  code?: string;
  messages?: TokenErrorMessage[];
  [key: string]: unknown;
}

export type Role = 'customer' | 'vendor' | 'admin';

/** `POST /api/users/register/` body (creates a customer). */
export interface RegisterRequest {
  username: string;
  email: string;
  password: string;
}

/** `POST /api/users/register/` 201 answer: the created user (shape of apps/api's RegisteredUserDto). */
export interface RegisteredUser {
  id: number;
  username: string;
  email: string;
  role: Role;
}

/** `POST /api/token/revoke-all/` answer: how many refresh tokens were revoked (apps/api's shape). */
export interface RevokeAllResponse {
  revoked: number;
}

// ── §4 Points and exchange tokens ─────────────────────────────────────────────────────────────

/** `GET /api/points/`. */
export interface PointsBalance {
  balance: number;
  held: number;
}

export type LedgerEntryType = 'grant' | 'hold' | 'release' | 'capture' | (string & {});

export interface LedgerEntry {
  id: number | string;
  type: LedgerEntryType;
  points: number;
  tokenId: string | null;
  createdAt: string;
}

/** `GET /api/points/ledger/`: newest first, paginated. */
export interface LedgerPage {
  entries: LedgerEntry[];
  nextCursor?: string | null;
}

/** Cursor pagination query (`?limit=&cursor=`). */
export interface PageQuery {
  limit?: number;
  cursor?: string | null;
}

/** `POST /api/admin/points/grant/` body (admin). */
export interface GrantPointsRequest {
  username: string;
  points: number;
  reason?: string;
}

/** `POST /api/admin/points/grant/` 201 answer. */
export interface GrantPointsResponse {
  balance: number;
}

/** `POST /api/exchange-tokens/` 201 answer. */
export interface ExchangeToken {
  token: string;
  points: number;
  expiresAt: string;
  expiresInSeconds: number;
  /** `data:image/png;base64,…` */
  qrCode: string;
}

/** `POST /api/exchange-tokens/validate/` 201 answer (vendor). */
export interface ExchangeValidation {
  exchangeRequest: {
    id: number | string;
    token: string;
    points: number;
    customer: string;
    vendor: string;
    createdAt: string;
  };
}

export type ExchangeTokenStatus = 'active' | 'used' | 'expired';

/** `GET /api/exchange-tokens/status/`: active first, then most recent. */
export interface ExchangeTokenStatusPage {
  balance: number;
  held: number;
  tokens: Array<{
    token: string;
    points: number;
    status: ExchangeTokenStatus;
    expiresAt: string;
    secondsRemaining: number;
  }>;
  nextCursor: string | null;
}

// ── §5 Vinted sessions ────────────────────────────────────────────────────────────────────────

export type VintedSessionStatus = 'active' | 'expired' | 'error' | 'requires_configuration';

/** `POST /api/v1/vinted/auth` 201 answer. */
export interface VintedAuthStored {
  status: VintedSessionStatus;
  expiresAt: string | null;
}

/** `GET /api/v1/vinted/auth`: never a token. */
export interface VintedAuthState {
  status: VintedSessionStatus;
  expiresAt: string | null;
  lastRefreshedAt: string | null;
  lastError: string | null;
}

/** `GET /api/v1/market-analysis/token`. */
export interface MarketAnalysisToken {
  accessToken: string;
  expiresAt: string;
}

/** `GET|POST /api/v1/vinted/scheduler` (admin). */
export interface VintedSchedulerState {
  isActive: boolean;
  autoRefreshEnabled: boolean;
  intervalMinutes: number;
  lastRunAt: string | null;
  nextRunAt: string | null;
  lastRun: { checked: number; refreshed: number; failed: number } | null;
}

/** `POST /api/v1/vinted/scheduler` body (admin). */
export interface VintedSchedulerCommand {
  action: 'start' | 'stop' | 'restart';
  intervalMinutes?: number;
}

// ── §6 WhatsApp number validation ─────────────────────────────────────────────────────────────

export type WhatsAppNumberStatus = 'pending' | 'qr_ready' | 'regenerating' | 'connected' | 'failed';

/** `GET /api/whatsapp/numbers/:id/` (and the 201 of registration). */
export interface WhatsAppNumber {
  id: number;
  phoneNumber: string;
  status: WhatsAppNumberStatus;
  qrCode: string | null;
  attempt: number;
  maxAttempts: number;
  workerId: string | null;
  lastError: string | null;
}

/** `GET /api/whatsapp/numbers/`: the caller's numbers (every number for an admin), newest first. */
export interface WhatsAppNumberPage {
  numbers: WhatsAppNumber[];
  nextCursor: string | null;
}

/** `POST …/events/ticket/`: opens the stream once (`?ticket=`), within `expires_in` seconds. */
export interface StreamTicket {
  ticket: string;
  expires_in: number;
}

/** What every worker event carries (CONTRACT §6, seed 004). */
interface WorkerEventBase {
  numberId: number;
  sessionId: string;
  workerId: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/** The worker events of `GET /api/whatsapp/numbers/:id/events/`, with the seed's bodies. */
export type WhatsAppWorkerEvent =
  | (WorkerEventBase & { action: 'qr_generated'; qrCode: string })
  | (WorkerEventBase & { action: 'qr_regenerating'; attempt: number; maxAttempts: number; message: string })
  | (WorkerEventBase & { action: 'connected'; message?: string })
  | (WorkerEventBase & { action: 'error'; error: string });

/** An event of a number's stream: its current state first (`status`), then each worker event. */
export type WhatsAppNumberEvent =
  | { type: 'status'; data: WhatsAppNumber }
  | {
      [A in WhatsAppWorkerEvent['action']]: { type: A; data: Extract<WhatsAppWorkerEvent, { action: A }> };
    }[WhatsAppWorkerEvent['action']];

// ── §8 Operations ─────────────────────────────────────────────────────────────────────────────

/** `GET /api/health` (@nestjs/terminus). */
export interface HealthStatus {
  status: 'ok' | 'error' | 'shutting_down';
  info?: Record<string, { status: string; [key: string]: unknown }>;
  error?: Record<string, { status: string; [key: string]: unknown }>;
  details?: Record<string, { status: string; [key: string]: unknown }>;
}
