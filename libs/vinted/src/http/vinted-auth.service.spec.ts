import { AppConfig } from '@app/config';
import { parseCookieString } from '../cookies/vinted-cookies';
import { VintedAuthService, classifyRefreshResponse, parseRetryAfter } from './vinted-auth.service';
import { VintedHttpClient, VintedHttpRequest, VintedHttpResponse, VintedNetworkError } from './vinted-http.client';

function jwt(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'PS256' })}.${part(claims)}.c2ln`;
}

const NOW = Date.parse('2026-11-21T10:00:00Z');
const jar = parseCookieString(
  `anon_id=a; access_token_web=${jwt({ exp: 1, purpose: 'access' })}; refresh_token_web=${jwt({ exp: 2, purpose: 'refresh' })}`,
);
const answer = (status: number, body = '', setCookies: string[] = [], retryAfter?: string): VintedHttpResponse => ({
  status,
  body,
  setCookies,
  retryAfter,
});

describe(classifyRefreshResponse.name, () => {
  it('takes the rotated pair from Set-Cookie on success', () => {
    const access = jwt({ exp: 100, purpose: 'access' });
    const refresh = jwt({ exp: 200, purpose: 'refresh' });
    const outcome = classifyRefreshResponse(
      jar,
      answer(200, '{}', [`access_token_web=${access}; Path=/`, `refresh_token_web=${refresh}; Path=/`]),
      NOW,
    );
    expect(outcome.kind).toBe('ok');
    expect(outcome.kind === 'ok' && outcome.tokens).toEqual(
      expect.objectContaining({ accessToken: access, refreshToken: refresh }),
    );
    expect(outcome.kind === 'ok' && outcome.jar.get('anon_id')).toBe('a');
  });

  it.each([
    [answer(401, '{"code":100,"message":"x","message_code":"invalid_authentication_token"}'), 'dead'],
    [answer(403, '{"url":"https://geo.captcha-delivery.com/captcha/?cid=1"}'), 'blocked'],
    [answer(403, 'Forbidden'), 'blocked'],
    [answer(429, '', [], '60'), 'blocked'],
    [answer(500), 'transient'],
    [answer(502), 'transient'],
    [answer(404), 'transient'],
    [answer(200, '{}'), 'transient'],
    [answer(200, '{}', ['access_token_web=garbage; Path=/', 'refresh_token_web=; Path=/']), 'transient'],
  ])('classifies %j as %s', (response, kind) => {
    expect(classifyRefreshResponse(jar, response, NOW).kind).toBe(kind);
  });

  it('names the captcha and keeps Retry-After for the back-off', () => {
    expect(classifyRefreshResponse(jar, answer(403, 'geo.captcha-delivery.com'), NOW)).toEqual(
      expect.objectContaining({ reason: expect.stringContaining('captcha') }),
    );
    expect(classifyRefreshResponse(jar, answer(429, '', [], '60'), NOW)).toEqual(
      expect.objectContaining({ retryAfterMs: 60_000 }),
    );
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  });
});

describe(VintedAuthService.name, () => {
  class RecordingClient extends VintedHttpClient {
    requests: VintedHttpRequest[] = [];
    constructor(private readonly reply: () => Promise<VintedHttpResponse>) {
      super();
    }
    send(request: VintedHttpRequest) {
      this.requests.push(request);
      return this.reply();
    }
  }
  const config = Object.assign(new AppConfig(), { VINTED_BASE_URL: 'https://www.vinted.fr' });

  it('posts the stored cookies to /web/api/auth/refresh with a timeout', async () => {
    const client = new RecordingClient(() => Promise.resolve(answer(401)));
    await expect(new VintedAuthService(client, config).refresh(jar)).resolves.toEqual(
      expect.objectContaining({ kind: 'dead' }),
    );
    expect(client.requests[0]).toEqual(
      expect.objectContaining({ method: 'POST', url: 'https://www.vinted.fr/web/api/auth/refresh', timeoutMs: 10_000 }),
    );
    expect(client.requests[0].headers.cookie).toContain('refresh_token_web=');
  });

  it('turns a timeout or a network failure into a transient outcome', async () => {
    const timeout = new RecordingClient(() =>
      Promise.reject(new VintedNetworkError('timeout', 'no answer within 10000 ms')),
    );
    await expect(new VintedAuthService(timeout, config).refresh(jar)).resolves.toEqual({
      kind: 'transient',
      reason: 'timeout: no answer within 10000 ms',
    });
    const refused = new RecordingClient(() =>
      Promise.reject(new VintedNetworkError('network', 'connect ECONNREFUSED')),
    );
    await expect(new VintedAuthService(refused, config).refresh(jar)).resolves.toEqual(
      expect.objectContaining({ kind: 'transient' }),
    );
  });

  it('does not call Vinted without a refresh token', async () => {
    const client = new RecordingClient(() => Promise.resolve(answer(200)));
    await expect(new VintedAuthService(client, config).refresh(parseCookieString('anon_id=a'))).resolves.toEqual(
      expect.objectContaining({ kind: 'dead' }),
    );
    expect(client.requests).toHaveLength(0);
  });
});
