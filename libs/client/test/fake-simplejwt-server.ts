import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Hourglass speaking djangorestframework-simplejwt's protocol (CONTRACT §3): same paths,
 * status codes and bodies, rotation with blacklist-after-rotation. Tokens are opaque strings; the
 * test decides which are expired. Used by the client's specs until they can run against apps/api.
 */
export interface FakeServer {
  baseURL: string;
  /** Number of `POST /api/token/refresh/` received. */
  refreshCalls: number;
  /** Every request received: method, path, the Authorization and Idempotency-Key headers, the status sent. */
  log: Array<{ method: string; path: string; authorization?: string; idempotencyKey?: string; status: number }>;
  /** Options a test may flip at any time. */
  options: {
    /** Delay before answering a refresh (widens the race window). */
    refreshDelayMs: number;
    /** Answer refreshes with this status instead (e.g. 503). */
    refreshStatus?: number;
    /** Issue access tokens that are already expired (server clock skew): retries 401 again. */
    issueExpiredAccess: boolean;
    /** Delay before answering protected endpoints. */
    protectedDelayMs: number;
  };
  /** Issues a pair for `alice` as `POST /api/token/` would. */
  issuePair(): { access: string; refresh: string };
  /** Makes an access token expired. */
  expire(access: string): void;
  close(): Promise<void>;
}

const NOT_VALID_ANY = 'Given token not valid for any token type';

export async function startFakeServer(): Promise<FakeServer> {
  const users = new Map([['alice', 'wonderland']]);
  const access = new Map<string, { expired: boolean }>();
  const refresh = new Map<string, { blacklisted: boolean }>();
  let counter = 0;
  let balance = 100;

  const fake: FakeServer = {
    baseURL: '',
    refreshCalls: 0,
    log: [],
    options: { refreshDelayMs: 0, issueExpiredAccess: false, protectedDelayMs: 0 },
    issuePair() {
      counter += 1;
      const pair = { access: `access-${counter}`, refresh: `refresh-${counter}` };
      access.set(pair.access, { expired: fake.options.issueExpiredAccess });
      refresh.set(pair.refresh, { blacklisted: false });
      return pair;
    },
    expire(token) {
      access.set(token, { expired: true });
    },
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** simplejwt's JWTAuthentication: null when authenticated, else the 401 to send. */
  function authenticate(header: string | undefined): [number, object, Record<string, string>?] | null {
    const [scheme, token] = (header ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) {
      return [
        401,
        { detail: 'Authentication credentials were not provided.' },
        { 'WWW-Authenticate': 'Bearer realm="api"' },
      ];
    }
    const state = access.get(token);
    const message = !state
      ? refresh.has(token)
        ? 'Token has wrong type'
        : 'Token is invalid'
      : state.expired
        ? 'Token is expired'
        : null;
    if (message === null) {
      return null;
    }
    const messages = [{ token_class: 'AccessToken', token_type: 'access', message }];
    return [
      401,
      { detail: NOT_VALID_ANY, code: 'token_not_valid', messages },
      { 'WWW-Authenticate': 'Bearer realm="api"' },
    ];
  }

  async function route(method: string, path: string, body: Record<string, unknown>, authorization: string | undefined) {
    const field = (name: string) => (typeof body[name] === 'string' && body[name] !== '' ? body[name] : undefined);
    const required = (...names: string[]) => {
      const missing = names.filter((name) => field(name) === undefined);
      return missing.length ? Object.fromEntries(missing.map((name) => [name, ['This field is required.']])) : null;
    };
    if (method === 'POST' && path === '/api/token/') {
      const errors = required('username', 'password');
      if (errors) {
        return [400, errors] as const;
      }
      if (users.get(field('username')!) !== field('password')) {
        return [401, { detail: 'No active account found with the given credentials' }] as const;
      }
      return [200, fake.issuePair()] as const;
    }
    if (method === 'POST' && (path === '/api/token/refresh/' || path === '/api/token/blacklist/')) {
      const isRefresh = path === '/api/token/refresh/';
      if (isRefresh) {
        fake.refreshCalls += 1;
        await sleep(fake.options.refreshDelayMs);
        if (fake.options.refreshStatus) {
          return [fake.options.refreshStatus, { detail: 'Service unavailable.', code: 'unavailable' }] as const;
        }
      }
      const errors = required('refresh');
      if (errors) {
        return [400, errors] as const;
      }
      const token = field('refresh')!;
      const state = refresh.get(token);
      if (!state) {
        return [
          401,
          { detail: access.has(token) ? 'Token has wrong type' : 'Token is invalid', code: 'token_not_valid' },
        ] as const;
      }
      if (state.blacklisted) {
        return [401, { detail: 'Token is blacklisted', code: 'token_not_valid' }] as const;
      }
      state.blacklisted = true; // BLACKLIST_AFTER_ROTATION, or logout
      return [200, isRefresh ? fake.issuePair() : {}] as const;
    }
    if (method === 'POST' && path === '/api/token/verify/') {
      const token = field('token');
      if (!token) {
        return [400, { token: ['This field is required.'] }] as const;
      }
      if (refresh.get(token)?.blacklisted) {
        return [400, { non_field_errors: ['Token is blacklisted'] }] as const;
      }
      const state = access.get(token);
      if (!state && !refresh.has(token)) {
        return [401, { detail: 'Token is invalid', code: 'token_not_valid' }] as const;
      }
      return state?.expired
        ? ([401, { detail: 'Token is expired', code: 'token_not_valid' }] as const)
        : ([200, {}] as const);
    }
    const rejected = authenticate(authorization);
    if (rejected) {
      return rejected;
    }
    await sleep(fake.options.protectedDelayMs);
    if (method === 'GET' && path === '/api/points/') {
      return [200, { balance, held: 0 }] as const;
    }
    if (method === 'POST' && path === '/api/exchange-tokens/') {
      const points = body.points;
      if (typeof points !== 'number' || points > balance) {
        return [409, { detail: 'Not enough points for this exchange.', code: 'insufficient_points', balance }] as const;
      }
      balance -= points;
      const expiresAt = new Date(Date.now() + 180_000).toISOString();
      return [
        201,
        { token: `xt-${counter}`, points, expiresAt, expiresInSeconds: 180, qrCode: 'data:image/png;base64,AAAA' },
      ] as const;
    }
    return [404, { detail: 'Not found.', code: 'not_found' }] as const;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }
    const path = (request.url ?? '/').split('?')[0];
    const raw = Buffer.concat(chunks).toString('utf8');
    let result: readonly [number, object, Record<string, string>?];
    try {
      const body: unknown = raw === '' ? {} : JSON.parse(raw);
      result = await route(
        request.method ?? 'GET',
        path,
        (body ?? {}) as Record<string, unknown>,
        request.headers.authorization,
      );
    } catch (error) {
      result = [400, { detail: `JSON parse error - ${(error as Error).message}` }];
    }
    const [status, payload, headers] = result;
    const idempotencyKey = request.headers['idempotency-key'] as string | undefined;
    fake.log.push({
      method: request.method ?? 'GET',
      path,
      authorization: request.headers.authorization,
      idempotencyKey,
      status,
    });
    response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    response.end(JSON.stringify(payload));
  }

  const server: Server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
