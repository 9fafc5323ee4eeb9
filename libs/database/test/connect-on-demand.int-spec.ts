import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigModule, loadConfig } from '@app/config';
import { DatabaseTarget, TcpProxy, TestDatabase, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { DatabaseLoginRefusedError, DatabaseMissingError, DatabaseUnreachableError } from '../src/connection-failure';
import { DatabaseModule } from '../src/database.module';
import { Database } from '../src/database.service';

@Module({})
class CliLikeModule {}

/** What the CLI boots before commander parses its arguments: nothing may touch the database yet. */
function bootCli(env: Record<string, string>): Promise<INestApplicationContext> {
  const { config } = loadConfig({ ...env });
  return NestFactory.createApplicationContext(
    { module: CliLikeModule, imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot({ role: 'cli' })] },
    { logger: false, abortOnError: false },
  );
}

describe.each(databaseTargets())('the cli role on the %s database', (target: DatabaseTarget) => {
  let testDatabase: TestDatabase;
  beforeAll(async () => (testDatabase = await createTestDatabase(target)));
  afterAll(async () => testDatabase?.cleanup());

  it('opens nothing while booting, and connects when a command asks', async () => {
    const lockFile = join(testDatabase.dataDir, 'hourglass.lock');
    const app = await bootCli(testDatabase.env);
    try {
      expect(app.get(DataSource).isInitialized).toBe(false);
      expect(existsSync(lockFile)).toBe(false); // The embedded host (and its DATA_DIR lock) is not opened.

      await app.get(Database).connect();
      expect(app.get(DataSource).isInitialized).toBe(true);
      expect(await app.get(Database).now()).toBeInstanceOf(Date);
      expect(existsSync(lockFile)).toBe(target === 'embedded');

      await app.get(Database).connect(); // Connecting again is a no-op, not TypeORM's "already connected".
    } finally {
      await app.close();
    }
    expect(existsSync(lockFile)).toBe(false);
  });
});

const onServer = databaseTargets().includes('postgres');

(onServer ? describe : describe.skip)('the cli role on a server it cannot use', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => (testDatabase = await createTestDatabase('postgres')));
  afterAll(async () => testDatabase?.cleanup());

  /** DATABASE_URL of the test server with `change` applied. */
  const serverUrl = (change: (url: URL) => void) => {
    const url = new URL(testDatabase.env.DATABASE_URL);
    change(url);
    return url.toString();
  };

  async function connectError(databaseUrl: string): Promise<unknown> {
    const app = await bootCli({ ...testDatabase.env, DATABASE_URL: databaseUrl });
    try {
      return await app
        .get(Database)
        .connect()
        .then(
          () => undefined,
          (error: unknown) => error,
        );
    } finally {
      await app.close();
    }
  }

  it('says at once, without retrying, that nothing answers', async () => {
    const url = new URL(testDatabase.env.DATABASE_URL);
    const proxy = await TcpProxy.start(url.hostname, Number(url.port || 5432));
    await proxy.cut(); // Refuses connections, as a stopped server does.
    try {
      const startedAt = Date.now();
      const error = await connectError(proxy.wrap(url.toString()));
      expect(Date.now() - startedAt).toBeLessThan(2_000);
      expect(error).toBeInstanceOf(DatabaseUnreachableError);
      expect((error as Error).message).toMatch(
        /^Cannot reach the PostgreSQL server at 127\.0\.0\.1:\d+ \(connect ECONNREFUSED [^)]+\): start it, or fix DATABASE_URL\.$/,
      );
    } finally {
      await proxy.cut();
    }
  });

  it('says how to create a database that does not exist', async () => {
    const name = `hourglass_missing_${process.pid}_${Date.now()}`;
    const error = await connectError(serverUrl((url) => (url.pathname = `/${name}`)));
    const { hostname, port, username } = new URL(testDatabase.env.DATABASE_URL);
    expect(error).toBeInstanceOf(DatabaseMissingError);
    expect((error as Error).message).toBe(
      `Database "${name}" does not exist on the PostgreSQL server at ${hostname}:${port || 5432}: ` +
        `create it with \`createdb -h ${hostname}${port ? ` -p ${port}` : ''}${username ? ` -U ${username}` : ''} ${name}\`, or fix DATABASE_URL.`,
    );
  });

  it('says that the server refused the login', async () => {
    const error = await connectError(serverUrl((url) => (url.username = `nobody_${process.pid}`)));
    expect(error).toBeInstanceOf(DatabaseLoginRefusedError);
    expect((error as Error).message).toMatch(
      /refused the login of "nobody_\d+" \(.+\): fix the user or password in DATABASE_URL\.$/,
    );
  });
});
