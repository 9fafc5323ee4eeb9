import { randomBytes, randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { KeyLike, SignJWT, generateKeyPair, jwtVerify } from 'jose';

/**
 * How the fake answers a refresh: `ok` rotates the pair; `captcha` is DataDome's 403; `rate_limited`
 * a 429 with Retry-After; `server_error` a 500; `slow` holds the request `slowMs` (the client's
 * timeout fires first); `malformed_set_cookie` answers 200 with cookies that are not JWTs.
 */
export type FakeVintedMode = 'ok' | 'captcha' | 'rate_limited' | 'server_error' | 'slow' | 'malformed_set_cookie';

export interface FakeVintedOptions {
  accessTtlSeconds?: number;
  refreshTtlSeconds?: number;
  /** Delay before every refresh answer: widens race windows in single-flight tests. */
  latencyMs?: number;
  slowMs?: number;
}

export const FAKE_VINTED_INVALID_TOKEN_BODY = {
  code: 100,
  message: 'Jeton d’authentification invalide',
  message_code: 'invalid_authentication_token',
};
const CAPTCHA_BODY = {
  url: 'https://geo.captcha-delivery.com/captcha/?initialCid=AHrlqAAAAAMA&cid=fake&referer=https%3A%2F%2Fwww.vinted.fr%2F&hash=FAKE&t=fe&s=1',
};

/**
 * A local stand-in for www.vinted.fr's auth API, over real HTTP: PS256-signed JWT cookies
 * (`access_token_web` ~2 h, `refresh_token_web` ~7 d, with `purpose` claims) set through
 * `Set-Cookie` like the real site; each refresh rotates the refresh token and a used or unknown
 * one gets Vinted's 401 body. It counts refresh calls so tests can assert single flight.
 */
export class FakeVintedServer {
  mode: FakeVintedMode = 'ok';
  /** Modes used once each, before `mode`, e.g. `['captcha']` then back to ok. */
  readonly nextModes: FakeVintedMode[] = [];
  refreshCalls = 0;
  /** Refreshes being answered right now, and the most at once (benchmarks check concurrency). */
  inFlight = 0;
  maxInFlight = 0;
  /** The most refreshes of one account answered at once: above 1, a session was refreshed twice concurrently. */
  maxInFlightPerAccount = 0;
  /** Refreshes answered 401 (a spent, unknown or missing refresh token): a lost rotation race shows here. */
  rejectedRefreshes = 0;
  latencyMs: number;
  slowMs: number;
  private readonly accessTtl: number;
  private readonly refreshTtl: number;
  /** Live refresh-token ids → the account they belong to. Rotation removes the old id. */
  private readonly liveRefresh = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlightByAccount = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    private readonly privateKey: KeyLike,
    private readonly publicKey: KeyLike,
    options: FakeVintedOptions,
  ) {
    this.accessTtl = options.accessTtlSeconds ?? 2 * 3600;
    this.refreshTtl = options.refreshTtlSeconds ?? 7 * 86_400;
    this.latencyMs = options.latencyMs ?? 0;
    this.slowMs = options.slowMs ?? 30_000;
  }

  static async start(options: FakeVintedOptions = {}): Promise<FakeVintedServer> {
    const { privateKey, publicKey } = await generateKeyPair('PS256');
    const holder: { fake?: FakeVintedServer } = {};
    const server = createServer((request, response) => {
      void holder.fake?.handle(request, response).catch(() => response.destroy());
    });
    const fake = new FakeVintedServer(server, privateKey, publicKey, options);
    holder.fake = fake;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A browser's cookie string after logging in as `account`: both tokens plus the usual others. */
  async issueSession(
    account: string = randomUUID(),
    ttl: { accessSeconds?: number; refreshSeconds?: number } = {},
  ): Promise<string> {
    const { access, refresh } = await this.issuePair(
      account,
      ttl.accessSeconds ?? this.accessTtl,
      ttl.refreshSeconds ?? this.refreshTtl,
    );
    return `anon_id=${randomUUID()}; v_udt=${randomBytes(12).toString('base64url')}; access_token_web=${access}; refresh_token_web=${refresh}; _vinted_fr_session=${randomBytes(24).toString('base64url')}; datadome=${randomBytes(16).toString('hex')}`;
  }

  /** A signed token with any claims and lifetime (negative: already expired), for bad-input tests. */
  sign(claims: Record<string, unknown>, ttlSeconds: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'PS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .sign(this.privateKey);
  }

  /** Forgets every live refresh token: the next refresh of any session gets the 401. */
  revokeAll(): void {
    this.liveRefresh.clear();
  }

  async close(): Promise<void> {
    this.timers.forEach((timer) => clearTimeout(timer));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async issuePair(account: string, accessSeconds: number, refreshSeconds: number) {
    const refreshId = randomUUID();
    const common = { sub: account, account_id: account, scope: 'user' };
    const access = await this.sign({ ...common, purpose: 'access', jti: randomUUID() }, accessSeconds);
    const refresh = await this.sign({ ...common, purpose: 'refresh', jti: refreshId }, refreshSeconds);
    this.liveRefresh.set(refreshId, account);
    return { access, refresh, accessSeconds, refreshSeconds };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    request.resume();
    if (request.method !== 'POST' || request.url?.split('?')[0] !== '/web/api/auth/refresh') {
      return send(response, 404, { code: 404, message: 'Not found' });
    }
    this.refreshCalls += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    // Read without verifying: a forged or spent token still names the account it claims.
    const account = unverifiedSubject(cookieValue(request.headers.cookie ?? '', 'refresh_token_web'));
    const accountInFlight = (this.inFlightByAccount.get(account) ?? 0) + 1;
    this.inFlightByAccount.set(account, accountInFlight);
    this.maxInFlightPerAccount = Math.max(this.maxInFlightPerAccount, accountInFlight);
    try {
      await this.wait(this.latencyMs);
      await this.answerRefresh(request, response, this.nextModes.shift() ?? this.mode);
    } finally {
      this.inFlight -= 1;
      this.inFlightByAccount.set(account, (this.inFlightByAccount.get(account) ?? 1) - 1);
    }
  }

  private async answerRefresh(request: IncomingMessage, response: ServerResponse, mode: FakeVintedMode): Promise<void> {
    switch (mode) {
      case 'captcha':
        return send(response, 403, CAPTCHA_BODY);
      case 'rate_limited':
        response.setHeader('Retry-After', '60');
        return send(response, 429, { code: 429, message: 'Too Many Requests' });
      case 'server_error':
        return send(response, 500, { code: 500, message: 'Internal Server Error' });
      case 'slow':
        await this.wait(this.slowMs);
        return send(response, 503, { message: 'too late' });
      case 'malformed_set_cookie':
        response.setHeader('Set-Cookie', [
          'access_token_web=not-a-jwt; Path=/; HttpOnly',
          'refresh_token_web=; Path=/; HttpOnly',
        ]);
        return send(response, 200, {});
      case 'ok':
        return this.rotate(request, response);
    }
  }

  private async rotate(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const token = cookieValue(request.headers.cookie ?? '', 'refresh_token_web');
    const verified = token
      ? await jwtVerify(token, this.publicKey, { algorithms: ['PS256'] }).catch(() => undefined)
      : undefined;
    const jti = typeof verified?.payload.jti === 'string' ? verified.payload.jti : undefined;
    const account =
      jti === undefined || verified?.payload.purpose !== 'refresh' ? undefined : this.liveRefresh.get(jti);
    if (jti === undefined || account === undefined) {
      this.rejectedRefreshes += 1;
      return send(response, 401, FAKE_VINTED_INVALID_TOKEN_BODY);
    }
    this.liveRefresh.delete(jti); // rotation: the presented token is spent
    const pair = await this.issuePair(account, this.accessTtl, this.refreshTtl);
    const attributes = 'Path=/; Secure; HttpOnly; SameSite=Lax';
    response.setHeader('Set-Cookie', [
      `access_token_web=${pair.access}; Max-Age=${pair.accessSeconds}; ${attributes}`,
      `refresh_token_web=${pair.refresh}; Max-Age=${pair.refreshSeconds}; ${attributes}`,
      `_vinted_fr_session=${randomBytes(24).toString('base64url')}; ${attributes}`,
    ]);
    send(response, 200, {});
  }

  private wait(ms: number): Promise<void> {
    if (ms <= 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

function send(response: ServerResponse, status: number, body: object): void {
  if (!response.headersSent && !response.destroyed) {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }
}

/** The `sub` claim of a JWT, unverified; '' when there is none. */
function unverifiedSubject(token: string | undefined): string {
  try {
    const payload = JSON.parse(Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: unknown;
    };
    return typeof payload.sub === 'string' ? payload.sub : '';
  } catch {
    return '';
  }
}

function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) {
      return value.join('=');
    }
  }
  return undefined;
}
