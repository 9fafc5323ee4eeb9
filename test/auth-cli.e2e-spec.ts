import { DatabaseTarget, TestDatabase, createTestDatabase, databaseTargets, runApp } from '@app/testing';

describe.each(databaseTargets())('cli users create / flush-expired-tokens on %s', (target: DatabaseTarget) => {
  let database: TestDatabase;
  const env = () => ({ ...database.env, JWT_SIGNING_KEY: 'cli-test-signing-key-0123456789-0123456789' });

  beforeAll(async () => {
    database = await createTestDatabase(target);
    expect((await runApp('cli', env(), ['migrate'])).code).toBe(0);
  });
  afterAll(async () => database?.cleanup());

  it('creates a user and exits 0', async () => {
    const result = await runApp('cli', env(), [
      'users',
      'create',
      '--username',
      'vera',
      '--password',
      'long-enough',
      '--email',
      'vera@example.com',
      '--role',
      'vendor',
    ]);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/Created vendor "vera" \(id \d+\)\./);
  });

  it('refuses a duplicate with one clear line on stderr and exit 1', async () => {
    const result = await runApp('cli', env(), ['users', 'create', '--username', 'vera', '--password', 'long-enough']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Error: username: A user with that username already exists.');
  });

  it('flushes expired tokens', async () => {
    const result = await runApp('cli', env(), ['flush-expired-tokens']);
    expect(result).toMatchObject({ code: 0, stdout: 'Deleted 0 expired refresh token(s).\n' });
  });

  it('prints users create and flush-expired-tokens as one JSON object with --json', async () => {
    const created = await runApp('cli', env(), [
      'users',
      'create',
      '--username',
      'nora',
      '--password',
      'long-enough',
      '--json',
    ]);
    expect(created).toMatchObject({ code: 0 });
    expect(JSON.parse(created.stdout)).toEqual({
      id: expect.any(Number),
      username: 'nora',
      email: '',
      role: 'customer',
    });

    const flushed = await runApp('cli', env(), ['flush-expired-tokens', '--json']);
    expect(flushed).toMatchObject({ code: 0, stdout: '{"deleted":0}\n' });
  });
});
