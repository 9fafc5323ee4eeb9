import { availableParallelism } from 'node:os';
import { Expose } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { Env } from './env-meta';
import { AsBoolean, AsDuration, IntegerSetting, IsCronExpression, IsUrlWithScheme } from './env-parsers';

const DURATION = 'a duration such as 90s, 15m, 2h or 7d';
const BOOLEAN = 'true or false';

/**
 * The whole configuration of Hourglass: every environment variable, its default and its form.
 * An instance is built once per process by `loadConfig()` (the only reader of `process.env`)
 * and injected as `AppConfig`. Durations are held in milliseconds.
 */
export class AppConfig {
  @Env({
    description: 'Runtime mode; `production` requires real secrets.',
    expected: 'development, production or test',
  })
  @Expose()
  @IsIn(['development', 'production', 'test'], { message: 'is not a known mode' })
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Env({
    description: 'HTTP port (0 = any free port; the chosen port is printed).',
    expected: 'an integer from 0 to 65535, e.g. 3000',
  })
  @Expose()
  @IntegerSetting(0, 65535)
  PORT = 3000;

  @Env({
    description: 'Log level of the JSON logs.',
    expected: 'one of fatal, error, warn, info, debug, trace, silent',
  })
  @Expose()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'is not a log level' })
  LOG_LEVEL = 'info';

  @Env({
    description: '`postgres://…` of a real server; unset → embedded PostgreSQL (PGlite).',
    expected: 'a postgres://user:password@host:5432/database URL',
    secret: true,
  })
  @Expose()
  @IsOptional()
  @IsUrlWithScheme(['postgres', 'postgresql'])
  DATABASE_URL?: string;

  @Env({
    description: 'Connections per process to a real PostgreSQL server (the embedded one always uses 1).',
    expected: 'an integer from 2 to 200',
  })
  @Expose()
  @IntegerSetting(2, 200)
  DATABASE_POOL_SIZE = 10;

  @Env({
    description:
      'API processes sharing PORT (node:cluster); unset → one per core with DATABASE_URL and AMQP_URL, else 1. The embedded database and the in-process bus live in one process: more than 1 needs both servers.',
    expected: 'an integer from 1 to 64',
  })
  @Expose()
  @IsOptional()
  @IntegerSetting(1, 64)
  API_WORKERS?: number;

  @Env({
    description: 'Where the embedded database and generated development secrets live.',
    expected: 'a directory path, e.g. ./.data',
  })
  @Expose()
  @IsString()
  @MinLength(1, { message: 'is empty' })
  DATA_DIR = './.data';

  @Env({
    description: '`amqp://…` of a RabbitMQ server; unset → in-process bus (API and worker in one process).',
    expected: 'an amqp://user:password@host:5672 URL',
    secret: true,
  })
  @Expose()
  @IsOptional()
  @IsUrlWithScheme(['amqp', 'amqps'])
  AMQP_URL?: string;

  @Env({
    description: 'Messages a consumer handles at once (RabbitMQ prefetch).',
    expected: 'an integer from 1 to 1000',
  })
  @Expose()
  @IntegerSetting(1, 1000)
  AMQP_PREFETCH = 10;

  @Env({
    description: 'HS256 signing key of JWTs; development: generated once into DATA_DIR; required in production.',
    expected: 'a random string of at least 32 characters',
    secret: true,
  })
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'is shorter than 32 characters' })
  JWT_SIGNING_KEY?: string;

  @Env({ description: 'Lifetime of an access token.', expected: DURATION })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(1000, { message: 'is shorter than 1s' })
  JWT_ACCESS_TOKEN_LIFETIME = 2 * 3_600_000;

  @Env({ description: 'Lifetime of a refresh token.', expected: DURATION })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(1000, { message: 'is shorter than 1s' })
  JWT_REFRESH_TOKEN_LIFETIME = 7 * 86_400_000;

  @Env({ description: 'Issue a new refresh token on every refresh.', expected: BOOLEAN })
  @Expose()
  @AsBoolean()
  @IsBoolean({ message: 'is not a boolean' })
  JWT_ROTATE_REFRESH_TOKENS = true;

  @Env({ description: 'Blacklist a refresh token once it has been rotated.', expected: BOOLEAN })
  @Expose()
  @AsBoolean()
  @IsBoolean({ message: 'is not a boolean' })
  JWT_BLACKLIST_AFTER_ROTATION = true;

  @Env({
    description:
      'JWT signature algorithm: HS256 with JWT_SIGNING_KEY, or ES256 / EdDSA with JWT_PRIVATE_KEY and a `kid`.',
    expected: 'HS256, ES256 or EdDSA',
  })
  @Expose()
  @IsIn(['HS256', 'ES256', 'EdDSA'], { message: 'is not a supported algorithm' })
  JWT_ALGORITHM: 'HS256' | 'ES256' | 'EdDSA' = 'HS256';

  @Env({
    description: 'PEM private key (PKCS#8) that signs JWTs with ES256 or EdDSA; `\\n` escapes are accepted.',
    expected: 'a -----BEGIN PRIVATE KEY----- PEM block',
    secret: true,
  })
  @Expose()
  @IsOptional()
  @IsString()
  @Matches(/-----BEGIN PRIVATE KEY-----/, { message: 'is not a PKCS#8 PEM private key' })
  JWT_PRIVATE_KEY?: string;

  @Env({
    description:
      "Earlier public keys (PEM blocks, concatenated) still accepted for verification, so a key rotation logs nobody out; each key's `kid` is its RFC 7638 thumbprint.",
    expected: 'one or more -----BEGIN PUBLIC KEY----- PEM blocks',
  })
  @Expose()
  @IsOptional()
  @IsString()
  @Matches(/-----BEGIN PUBLIC KEY-----/, { message: 'has no PEM public key' })
  JWT_VERIFYING_KEYS?: string;

  @Env({
    description:
      'Clock skew tolerated when checking `exp`, and on `iat` and `nbf` in the future (a token dated later than now plus 1 s and this leeway is refused).',
    expected: 'a duration such as 0s, 5s or 1m',
  })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(0, { message: 'is negative' })
  JWT_LEEWAY = 0;

  @Env({
    description:
      'Refresh middleware: a request with an expired access token and a valid refresh token (X-Refresh-Token header, or the cookie in cookie mode) is rotated and served; the new pair comes back in X-Access-Token / X-Refresh-Token.',
    expected: BOOLEAN,
  })
  @Expose()
  @AsBoolean()
  @IsBoolean({ message: 'is not a boolean' })
  JWT_REFRESH_MIDDLEWARE = false;

  @Env({
    description:
      'Cookie mode: obtain/refresh also set the refresh token in an httpOnly, Secure, SameSite=Strict cookie that refresh/blacklist read (with a double-submit CSRF token).',
    expected: BOOLEAN,
  })
  @Expose()
  @AsBoolean()
  @IsBoolean({ message: 'is not a boolean' })
  JWT_AUTH_COOKIE = false;

  @Env({
    description:
      'How long a retry of a just-rotated refresh token gets the same successor back instead of revoking its family.',
    expected: 'a duration such as 0s, 10s or 1m',
  })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(0, { message: 'is negative' })
  JWT_REFRESH_GRACE_PERIOD = 10_000;

  @Env({
    description:
      'Failed logins per window for one username from one client IP, failed password changes per user, failed refreshes per client IP, registration attempts per client IP and per username; then 429 for AUTH_THROTTLE_TTL.',
    expected: 'an integer from 1 to 1000000',
  })
  @Expose()
  @IntegerSetting(1, 1_000_000)
  AUTH_THROTTLE_LIMIT = 10;

  @Env({
    description:
      'Failed logins per window for one username from every IP together; once reached, the username is under attack: a client that already failed for it in its window is refused, any other still has its attempt checked. Unset → 5 × AUTH_THROTTLE_LIMIT.',
    expected: 'an integer from 1 to 5000000',
  })
  @Expose()
  @IsOptional()
  @IntegerSetting(1, 5_000_000)
  AUTH_THROTTLE_USERNAME_LIMIT?: number;

  @Env({
    description:
      'Failed logins (every username together) and failed password changes (every user together) per window from one client IP; then that IP is refused (429) for AUTH_THROTTLE_TTL. Unset → 5 × AUTH_THROTTLE_LIMIT.',
    expected: 'an integer from 1 to 5000000',
  })
  @Expose()
  @IsOptional()
  @IntegerSetting(1, 5_000_000)
  AUTH_THROTTLE_IP_LIMIT?: number;

  @Env({
    description:
      "The window of the AUTH_THROTTLE_* limits (from a counter's first hit); a filled limit also blocks for this long.",
    expected: DURATION,
  })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(1000, { message: 'is shorter than 1s' })
  AUTH_THROTTLE_TTL = 60_000;

  @Env({
    description:
      'Browser origins allowed to call the API (CORS, credentials included), comma-separated; unset → no CORS headers (same-origin front ends only).',
    expected: 'comma-separated origins, e.g. https://app.example.com,http://localhost:5173',
  })
  @Expose()
  @IsOptional()
  @IsString()
  @Matches(/^https?:\/\/[^\s,/]+(,\s*https?:\/\/[^\s,/]+)*$/, {
    message: 'is not a comma-separated list of http(s) origins',
  })
  CORS_ORIGINS?: string;

  @Env({
    description:
      'Bearer token that GET /metrics requires (`Authorization: Bearer <token>`, compared in constant time; else 401); unset → /metrics is public, with a warning at start when NODE_ENV=production.',
    expected: 'a random string of 32 to 512 visible ASCII characters, no spaces',
    secret: true,
  })
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'is shorter than 32 characters' })
  @MaxLength(512, { message: 'is longer than 512 characters' })
  @Matches(/^[\x21-\x7e]+$/, { message: 'has characters a bearer token cannot carry' })
  METRICS_TOKEN?: string;

  @Env({
    description:
      'How long a Server-Sent Events stream may stay silent before it sends a `: keep-alive` comment, so that proxies do not cut it as idle.',
    expected: 'a duration such as 500ms, 15s or 1m',
  })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(100, { message: 'is shorter than 100ms' })
  SSE_KEEPALIVE_INTERVAL = 15_000;

  @Env({
    description:
      'How often the outbox relay looks for unpublished domain events (on a server it also wakes when a commit writes one, at most every 25 ms).',
    expected: 'a duration such as 250ms or 1s',
  })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(10, { message: 'is shorter than 10ms' })
  EVENTS_RELAY_INTERVAL = 250;

  @Env({
    description: 'How long published domain events stay in the outbox before the purge deletes them.',
    expected: DURATION,
  })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(60_000, { message: 'is shorter than 1m' })
  EVENTS_RETENTION = 7 * 24 * 3600_000;

  @Env({
    description:
      'Let webhook subscriptions target private, loopback, link-local, unique-local and other non-public addresses (at registration and at every delivery). Tests set it; production should not.',
    expected: BOOLEAN,
  })
  @Expose()
  @AsBoolean()
  @IsBoolean({ message: 'is not a boolean' })
  WEBHOOK_ALLOW_PRIVATE = false;

  @Env({
    description: 'How often each API process looks for webhook deliveries that are due.',
    expected: 'a duration such as 250ms or 1s',
  })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(10, { message: 'is shorter than 10ms' })
  WEBHOOK_DELIVERY_INTERVAL = 1000;

  @Env({
    description:
      'How long one webhook request (DNS, connection, answer headers) may take before it counts as a failed attempt.',
    expected: 'a duration such as 500ms, 10s or 1m',
  })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(100, { message: 'is shorter than 100ms' })
  WEBHOOK_TIMEOUT = 10_000;

  @Env({
    description:
      'Requests one webhook subscription may have in flight at once, so that a slow target only holds its own slots.',
    expected: 'an integer from 1 to 100',
  })
  @Expose()
  @IntegerSetting(1, 100)
  WEBHOOK_SUBSCRIPTION_CONCURRENCY = 4;

  @Env({
    description:
      'Delay before the first retry of a failed webhook delivery; it doubles at each attempt (with ±20% jitter).',
    expected: 'a duration such as 100ms, 5s or 1m',
  })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(10, { message: 'is shorter than 10ms' })
  WEBHOOK_RETRY_BASE = 5000;

  @Env({ description: 'The longest delay between two attempts of a webhook delivery.', expected: DURATION })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(10, { message: 'is shorter than 10ms' })
  WEBHOOK_RETRY_MAX_DELAY = 3_600_000;

  @Env({
    description: 'How long after its first attempt a webhook delivery is retried before it is marked `failed`.',
    expected: DURATION,
  })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(1000, { message: 'is shorter than 1s' })
  WEBHOOK_RETRY_WINDOW = 24 * 3600_000;

  @Env({
    description:
      'How long delivered and failed webhook deliveries stay in the delivery log before the purge deletes them.',
    expected: DURATION,
  })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(60_000, { message: 'is shorter than 1m' })
  WEBHOOK_DELIVERY_RETENTION = 30 * 24 * 3600_000;

  @Env({
    description:
      'Key for AES-256-GCM encryption of stored webhook signing secrets; unset → derived from JWT_SIGNING_KEY. Changing it makes the stored secrets unreadable.',
    expected: 'a random string of at least 32 characters',
    secret: true,
  })
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'is shorter than 32 characters' })
  WEBHOOK_SECRETS_KEY?: string;

  @Env({ description: 'Lifetime of an exchange token.', expected: DURATION })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(1000, { message: 'is shorter than 1s' })
  EXCHANGE_TOKEN_TTL = 3 * 60_000;

  @Env({
    description: 'When the expiry sweep runs (six-field cron, seconds first).',
    expected: 'a six-field cron expression, e.g. "* * * * * *"',
  })
  @Expose()
  @IsCronExpression()
  EXCHANGE_EXPIRY_CRON = '* * * * * *';

  @Env({ description: 'Start the Vinted token refresh scheduler at boot.', expected: BOOLEAN })
  @Expose()
  @AsBoolean()
  @IsBoolean({ message: 'is not a boolean' })
  VINTED_AUTO_REFRESH_ENABLED = true;

  @Env({
    description: 'Minutes between two runs of the Vinted refresh scheduler.',
    expected: 'an integer from 1 to 1440',
  })
  @Expose()
  @IntegerSetting(1, 1440)
  VINTED_TOKEN_REFRESH_INTERVAL_MINUTES = 30;

  @Env({
    description:
      'Key for AES-256-GCM encryption of stored Vinted sessions; unset → sessions are `requires_configuration`.',
    expected: 'a random string of at least 32 characters',
    secret: true,
  })
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'is shorter than 32 characters' })
  VINTED_CREDENTIALS_SECRET?: string;

  @Env({
    description:
      'The previous VINTED_CREDENTIALS_SECRET during a rotation: sessions it encrypted stay readable until `cli vinted rotate-secret` re-encrypts them.',
    expected: 'a random string of at least 32 characters',
    secret: true,
  })
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'is shorter than 32 characters' })
  VINTED_CREDENTIALS_SECRET_PREVIOUS?: string;

  @Env({
    description: 'A Vinted cookie string stored at start for the admin account.',
    expected: 'a browser cookie string with access_token_web and refresh_token_web',
    secret: true,
  })
  @Expose()
  @IsOptional()
  @IsString()
  @Matches(/access_token_web=/, { message: 'has no access_token_web cookie' })
  VINTED_SESSION?: string;

  @Env({
    description: 'Base URL of Vinted (tests point it at a local fake).',
    expected: 'an http(s):// URL, e.g. https://www.vinted.fr',
  })
  @Expose()
  @IsUrlWithScheme(['http', 'https'])
  VINTED_BASE_URL = 'https://www.vinted.fr';

  @Env({
    description: 'WhatsApp driver; default `simulator` when the bus is in-process, else `baileys`.',
    expected: 'baileys or simulator',
  })
  @Expose()
  @IsOptional()
  @IsIn(['baileys', 'simulator'], { message: 'is not a known driver' })
  WHATSAPP_DRIVER?: 'baileys' | 'simulator';

  @Env({ description: 'How long one WhatsApp QR code lives.', expected: DURATION })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(100, { message: 'is shorter than 100ms' })
  WHATSAPP_QR_TIMEOUT = 20_000;

  @Env({ description: 'Automatic QR regenerations before giving up.', expected: 'an integer from 0 to 20' })
  @Expose()
  @IntegerSetting(0, 20)
  WHATSAPP_MAX_QR_RETRIES = 3;

  @Env({
    description:
      'How often a WhatsApp worker announces itself; the API treats a worker silent for 3 intervals as gone and routes its sessions to the shared queue.',
    expected: 'a duration such as 500ms, 10s or 1m',
  })
  @Expose()
  @AsDuration()
  @IsInt({ message: 'is not a duration' })
  @Min(100, { message: 'is shorter than 100ms' })
  WHATSAPP_HEARTBEAT_INTERVAL = 10_000;

  @Env({
    description:
      'Key for AES-256-GCM encryption of stored WhatsApp (Baileys) credentials; unset → derived from JWT_SIGNING_KEY.',
    expected: 'a random string of at least 32 characters',
    secret: true,
  })
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'is shorter than 32 characters' })
  WHATSAPP_CREDENTIALS_SECRET?: string;

  @Env({
    description: "This worker's name in events and command routing.",
    expected: 'letters, digits, dot, dash or underscore (1-64), e.g. worker-1',
  })
  @Expose()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'has characters a queue name cannot take' })
  WORKER_ID = 'worker-1';

  @Env({
    description: 'With ADMIN_PASSWORD: the admin account created at start if missing.',
    expected: 'a username of 1-150 characters',
  })
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'is empty' })
  @MaxLength(150, { message: 'is longer than 150 characters' })
  ADMIN_USERNAME?: string;

  @Env({
    description: 'With ADMIN_USERNAME: the password of that admin account.',
    expected: 'a password of at least 8 characters',
    secret: true,
  })
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'is shorter than 8 characters' })
  ADMIN_PASSWORD?: string;

  /** CORS_ORIGINS as a list (empty: CORS off). */
  get corsOrigins(): string[] {
    return (this.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== '');
  }

  /** LOG_LEVEL debug or trace: the failure line of a bug (not of a user's mistake) carries its stack. */
  get debugLogging(): boolean {
    return this.LOG_LEVEL === 'debug' || this.LOG_LEVEL === 'trace';
  }

  /** True when no DATABASE_URL is set: PGlite runs in this process under DATA_DIR. */
  get embeddedDatabase(): boolean {
    return this.DATABASE_URL === undefined;
  }

  /** True when no AMQP_URL is set: the bus is in-process and the API hosts the worker. */
  get embeddedBus(): boolean {
    return this.AMQP_URL === undefined;
  }

  /**
   * How many API processes run: API_WORKERS, else one per core when both the database and the bus
   * are servers, else 1 (PGlite and the in-process bus cannot be shared between processes).
   */
  get apiWorkers(): number {
    return this.API_WORKERS ?? (this.embeddedDatabase || this.embeddedBus ? 1 : availableParallelism());
  }

  /** AUTH_THROTTLE_USERNAME_LIMIT, else 5 × AUTH_THROTTLE_LIMIT. */
  get authThrottleUsernameLimit(): number {
    return this.AUTH_THROTTLE_USERNAME_LIMIT ?? 5 * this.AUTH_THROTTLE_LIMIT;
  }

  /** AUTH_THROTTLE_IP_LIMIT, else 5 × AUTH_THROTTLE_LIMIT. */
  get authThrottleIpLimit(): number {
    return this.AUTH_THROTTLE_IP_LIMIT ?? 5 * this.AUTH_THROTTLE_LIMIT;
  }

  get whatsappDriver(): 'baileys' | 'simulator' {
    return this.WHATSAPP_DRIVER ?? (this.embeddedBus ? 'simulator' : 'baileys');
  }
}
