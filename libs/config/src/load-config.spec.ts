import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const dataDir = () => mkdtempSync(join(tmpdir(), 'hourglass-config-'));

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ DATA_DIR: dataDir(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.lines;
    }
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the contract defaults when nothing is set', () => {
    const { config } = loadConfig({ DATA_DIR: dataDir() });
    expect(config.PORT).toBe(3000);
    expect(config.JWT_ACCESS_TOKEN_LIFETIME).toBe(2 * 3_600_000);
    expect(config.JWT_REFRESH_TOKEN_LIFETIME).toBe(7 * 86_400_000);
    expect(config.EXCHANGE_TOKEN_TTL).toBe(180_000);
    expect(config.EXCHANGE_EXPIRY_CRON).toBe('* * * * * *');
    expect(config.VINTED_TOKEN_REFRESH_INTERVAL_MINUTES).toBe(30);
    expect(config.WHATSAPP_QR_TIMEOUT).toBe(20_000);
    expect(config.WHATSAPP_MAX_QR_RETRIES).toBe(3);
    expect(config.WORKER_ID).toBe('worker-1');
    expect(config.embeddedDatabase).toBe(true);
    expect(config.embeddedBus).toBe(true);
    expect(config.whatsappDriver).toBe('simulator');
  });

  it('reads durations, booleans and integers', () => {
    const { config } = loadConfig({
      DATA_DIR: dataDir(),
      EXCHANGE_TOKEN_TTL: '90s',
      JWT_ACCESS_TOKEN_LIFETIME: '15m',
      JWT_ROTATE_REFRESH_TOKENS: 'false',
      PORT: '0',
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
    });
    expect(config.EXCHANGE_TOKEN_TTL).toBe(90_000);
    expect(config.JWT_ACCESS_TOKEN_LIFETIME).toBe(900_000);
    expect(config.JWT_ROTATE_REFRESH_TOKENS).toBe(false);
    expect(config.PORT).toBe(0);
    expect(config.whatsappDriver).toBe('baileys');
    expect(config.embeddedDatabase).toBe(false);
  });

  it.each([
    [
      { PORT: 'abc' },
      'Invalid configuration: PORT="abc" is not an integer; expected an integer from 0 to 65535, e.g. 3000.',
    ],
    [
      { PORT: '70000' },
      'Invalid configuration: PORT="70000" is above 65535; expected an integer from 0 to 65535, e.g. 3000.',
    ],
    [
      { EXCHANGE_TOKEN_TTL: '3 minutes' },
      'Invalid configuration: EXCHANGE_TOKEN_TTL="3 minutes" is not a duration; expected a duration such as 90s, 15m, 2h or 7d.',
    ],
    [
      { JWT_ROTATE_REFRESH_TOKENS: 'maybe' },
      'Invalid configuration: JWT_ROTATE_REFRESH_TOKENS="maybe" is not a boolean; expected true or false.',
    ],
    [
      { WHATSAPP_DRIVER: 'selenium' },
      'Invalid configuration: WHATSAPP_DRIVER="selenium" is not a known driver; expected baileys or simulator.',
    ],
    [
      { EXCHANGE_EXPIRY_CRON: 'every second' },
      'Invalid configuration: EXCHANGE_EXPIRY_CRON="every second" is not a valid cron expression; expected a six-field cron expression, e.g. "* * * * * *".',
    ],
    [
      { DATABASE_URL: 'mysql://x@y/z' },
      'Invalid configuration: DATABASE_URL (value hidden) is not a postgres/postgresql URL; expected a postgres://user:password@host:5432/database URL.',
    ],
  ])('rejects %j with one line', (env, line) => {
    expect(problems(env)).toEqual([line]);
  });

  it('never echoes a secret value', () => {
    const [line] = problems({ JWT_SIGNING_KEY: 'short-secret' });
    expect(line).toContain('JWT_SIGNING_KEY (value hidden)');
    expect(line).not.toContain('short-secret');
  });

  it('requires a signing key in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'Invalid configuration: JWT_SIGNING_KEY is not set; expected a random string of at least 32 characters (required when NODE_ENV=production).',
    ]);
  });

  describe('API_WORKERS', () => {
    const servers = {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
    };

    it('defaults to one process per core with both servers, and to one otherwise', () => {
      expect(loadConfig({ DATA_DIR: dataDir(), ...servers }).config.apiWorkers).toBe(availableParallelism());
      expect(loadConfig({ DATA_DIR: dataDir() }).config.apiWorkers).toBe(1);
      expect(loadConfig({ DATA_DIR: dataDir(), DATABASE_URL: servers.DATABASE_URL }).config.apiWorkers).toBe(1);
      expect(loadConfig({ DATA_DIR: dataDir(), ...servers, API_WORKERS: '3' }).config.apiWorkers).toBe(3);
      expect(loadConfig({ DATA_DIR: dataDir(), API_WORKERS: '1' }).config.apiWorkers).toBe(1);
    });

    it.each([
      [
        {},
        'Invalid configuration: API_WORKERS="2" is above 1 with the embedded database; expected 1 unless DATABASE_URL is set (the embedded database lives in one process).',
      ],
      [
        { AMQP_URL: servers.AMQP_URL },
        'Invalid configuration: API_WORKERS="2" is above 1 with the embedded database; expected 1 unless DATABASE_URL is set (the embedded database lives in one process).',
      ],
      [
        { DATABASE_URL: servers.DATABASE_URL },
        'Invalid configuration: API_WORKERS="2" is above 1 with the in-process bus; expected 1 unless AMQP_URL is set (the in-process bus lives in one process).',
      ],
    ])('refuses more than one process with %j, in one line', (env, line) => {
      expect(problems({ ...env, API_WORKERS: '2' })).toEqual([line]);
    });

    it('reports a malformed value once, as a malformed value', () => {
      expect(problems({ API_WORKERS: '0' })).toEqual([
        'Invalid configuration: API_WORKERS="0" is below 1; expected an integer from 1 to 64.',
      ]);
      expect(problems({ API_WORKERS: 'all' })).toEqual([
        'Invalid configuration: API_WORKERS="all" is not an integer; expected an integer from 1 to 64.',
      ]);
    });
  });

  it('generates a development signing key once and reuses it', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.warnings).toHaveLength(1);
    expect(second.warnings).toHaveLength(0);
    expect(second.config.JWT_SIGNING_KEY).toBe(first.config.JWT_SIGNING_KEY);
    const file = join(dir, 'jwt-signing-key');
    expect(readFileSync(file, 'utf8')).toBe(first.config.JWT_SIGNING_KEY);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  describe('METRICS_TOKEN', () => {
    const key = 'k'.repeat(32);

    it('is unset by default: /metrics is public, and production says so in a warning', () => {
      expect(loadConfig({ DATA_DIR: dataDir(), JWT_SIGNING_KEY: key }).warnings).toEqual([]);
      const production = loadConfig({ DATA_DIR: dataDir(), JWT_SIGNING_KEY: key, NODE_ENV: 'production' });
      expect(production.config.METRICS_TOKEN).toBeUndefined();
      expect(production.warnings).toEqual([
        expect.stringMatching(/^METRICS_TOKEN is not set: GET \/metrics is public/),
      ]);
      const guarded = {
        DATA_DIR: dataDir(),
        JWT_SIGNING_KEY: key,
        NODE_ENV: 'production',
        METRICS_TOKEN: 'm'.repeat(32),
      };
      expect(loadConfig(guarded).warnings).toEqual([]);
    });

    it('refuses a short token, or one a bearer header cannot carry, without echoing it', () => {
      expect(problems({ METRICS_TOKEN: 'short' })).toEqual([
        'Invalid configuration: METRICS_TOKEN (value hidden) is shorter than 32 characters; expected a random string of 32 to 512 visible ASCII characters, no spaces.',
      ]);
      expect(problems({ METRICS_TOKEN: `${'m'.repeat(32)} x` })).toEqual([
        'Invalid configuration: METRICS_TOKEN (value hidden) has characters a bearer token cannot carry; expected a random string of 32 to 512 visible ASCII characters, no spaces.',
      ]);
    });
  });
});
