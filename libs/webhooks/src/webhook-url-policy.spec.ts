import { createServer, request } from 'node:http';
import { AddressInfo } from 'node:net';
import { checkWebhookHost, nonPublicRange, parseWebhookUrl, publicOnlyLookup } from './webhook-url-policy';
import { InvalidWebhookUrlError, PrivateWebhookUrlError } from './webhooks.errors';

describe(parseWebhookUrl.name, () => {
  it('accepts http and https URLs, without their fragment', () => {
    expect(parseWebhookUrl('https://hooks.example.com/a?b=1#c').href).toBe('https://hooks.example.com/a?b=1');
    expect(parseWebhookUrl('http://203.0.113.9:8080/').href).toBe('http://203.0.113.9:8080/');
  });

  it.each([
    ['ftp://example.com/', 'only http: and https: URLs are accepted, not ftp:'],
    ['javascript:alert(1)', 'only http: and https: URLs are accepted, not javascript:'],
    ['file:///etc/passwd', 'only http: and https: URLs are accepted, not file:'],
    ['/relative', 'it is not an absolute URL'],
    ['https://user:pw@example.com/', 'it carries credentials (user:password@); authenticate with the signature'],
    [`https://example.com/${'a'.repeat(2100)}`, 'it is longer than 2048 characters'],
  ])('refuses %s', (raw, reason) => {
    expect(() => parseWebhookUrl(raw)).toThrow(new InvalidWebhookUrlError(reason));
  });
});

describe(nonPublicRange.name, () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fd12::1', 'uniqueLocal'],
    ['::', 'unspecified'],
    ['::ffff:10.0.0.1', 'private'],
  ])('calls %s %s', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it('finds nothing to say about public addresses', () => {
    expect(nonPublicRange('8.8.8.8')).toBeUndefined();
    expect(nonPublicRange('2001:4860:4860::8888')).toBeUndefined();
  });
});

describe(checkWebhookHost.name, () => {
  it.each(['http://127.0.0.1/', 'http://[::1]:8080/', 'http://0x7f.1/', 'http://localhost/', 'http://10.1.2.3/'])(
    'refuses %s unless private targets are allowed',
    async (raw) => {
      await expect(checkWebhookHost(parseWebhookUrl(raw), false)).rejects.toBeInstanceOf(PrivateWebhookUrlError);
      await expect(checkWebhookHost(parseWebhookUrl(raw), true)).resolves.toBeUndefined();
    },
  );
});

describe(publicOnlyLookup.name, () => {
  let server: ReturnType<typeof createServer>;
  let port: number;

  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const get = (allowPrivate: boolean) =>
    new Promise<string>((resolve) => {
      const req = request(`http://localhost:${port}/`, { lookup: publicOnlyLookup(allowPrivate), family: 4 }, (res) => {
        res.resume();
        resolve(`HTTP ${res.statusCode}`);
      });
      req.on('error', (error) => resolve(error.message));
      req.end();
    });

  it('refuses to connect to a name that resolves to a loopback address', async () => {
    expect(await get(false)).toBe(
      'refused: the target resolves to 127.0.0.1, a loopback address (WEBHOOK_ALLOW_PRIVATE=false)',
    );
  });

  it('connects when private targets are allowed', async () => {
    expect(await get(true)).toBe('HTTP 204');
  });
});
