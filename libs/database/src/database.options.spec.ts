import { AppConfig } from '@app/config';
import { typeOrmOptions } from './database.options';
import { isRetryableTransactionError } from './database.service';
import { MIGRATIONS } from './migrations';

function config(overrides: Partial<AppConfig>): AppConfig {
  return Object.assign(new AppConfig(), { DATA_DIR: '/var/lib/hourglass' }, overrides);
}

describe(typeOrmOptions.name, () => {
  it('connects to the server of DATABASE_URL with the configured pool', () => {
    const options = typeOrmOptions(
      config({ DATABASE_URL: 'postgres://u:p@db:5432/hourglass', DATABASE_POOL_SIZE: 12 }),
      'api',
    );
    expect(options).toMatchObject({
      type: 'postgres',
      url: 'postgres://u:p@db:5432/hourglass',
      poolSize: 12,
      applicationName: 'hourglass-api',
    });
    expect(options.embedded).toBeUndefined();
  });

  it("reaches the embedded database through DATA_DIR's socket with a single connection", () => {
    const options = typeOrmOptions(config({ DATABASE_POOL_SIZE: 12 }), 'cli');
    expect(options).toMatchObject({
      host: '/var/lib/hourglass',
      port: 5432,
      username: 'postgres',
      database: 'postgres',
      poolSize: 1,
      extra: { max: 1 },
      embedded: { dataDir: '/var/lib/hourglass', role: 'cli' },
    });
  });

  it.each([
    ['a server', { DATABASE_URL: 'postgres://db/hourglass' }],
    ['the embedded database', {}],
  ])('never lets TypeORM change the schema of %s on its own', (_case, overrides) => {
    expect(typeOrmOptions(config(overrides), 'api')).toMatchObject({
      synchronize: false,
      migrationsRun: false,
      migrations: MIGRATIONS,
      migrationsTransactionMode: 'each',
      autoLoadEntities: true,
      logging: false,
    });
  });

  it('loads the entities the feature modules register, except in the worker, which maps none', () => {
    expect(typeOrmOptions(config({}), 'cli').autoLoadEntities).toBe(true);
    expect(typeOrmOptions(config({ DATABASE_URL: 'postgres://db/hourglass' }), 'worker').autoLoadEntities).toBe(false);
  });

  it('connects the API and the worker at start, the CLI only when a command asks (Database.connect)', () => {
    for (const overrides of [{}, { DATABASE_URL: 'postgres://db/hourglass' }]) {
      expect(typeOrmOptions(config(overrides), 'api').manualInitialization).toBe(false);
      expect(typeOrmOptions(config(overrides), 'worker').manualInitialization).toBe(false);
      expect(typeOrmOptions(config(overrides), 'cli').manualInitialization).toBe(true);
    }
  });

  it('waits for a server at the start of the API and the worker, never in the CLI nor for the embedded database', () => {
    const server = config({ DATABASE_URL: 'postgres://db/hourglass' });
    expect(typeOrmOptions(server, 'api').connectRetries).toEqual({ count: 5, delayMs: 2_000 });
    expect(typeOrmOptions(server, 'worker').connectRetries).toEqual({ count: 5, delayMs: 2_000 });
    expect(typeOrmOptions(server, 'cli').connectRetries).toBeUndefined();
    expect(typeOrmOptions(config({}), 'api').connectRetries).toBeUndefined();
  });

  it('never lets TypeOrmModule retry (its retries log a stack each time): HourglassDataSource does it', () => {
    for (const overrides of [{}, { DATABASE_URL: 'postgres://db/hourglass' }]) {
      const { toRetry } = typeOrmOptions(config(overrides), 'api');
      expect(toRetry?.(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
    }
  });
});

describe(isRetryableTransactionError.name, () => {
  it.each([
    ['40001', true],
    ['40P01', true],
    ['23505', false],
    [undefined, false],
  ])('treats SQLSTATE %s as retryable: %s', (code, expected) => {
    expect(isRetryableTransactionError(Object.assign(new Error('x'), { code }))).toBe(expected);
  });
});
