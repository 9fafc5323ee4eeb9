import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigModule, loadConfig } from '@app/config';
import { DatabaseTarget, TcpProxy, TestDatabase, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
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

(onServer ? describe : describe.skip)('the cli role on a server that is not up yet', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => (testDatabase = await createTestDatabase('postgres')));
  afterAll(async () => testDatabase?.cleanup());

  it('retries connecting until the server answers', async () => {
    const url = new URL(testDatabase.env.DATABASE_URL);
    const proxy = await TcpProxy.start(url.hostname, Number(url.port || 5432));
    await proxy.cut(); // Refuses connections, as a server still starting does.
    const app = await bootCli({ ...testDatabase.env, DATABASE_URL: proxy.wrap(url.toString()) });
    try {
      const connecting = app.get(Database).connect();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(app.get(DataSource).isInitialized).toBe(false);
      await proxy.restore();
      await connecting;
      expect(await app.get(Database).now()).toBeInstanceOf(Date);
    } finally {
      await app.close();
      await proxy.cut();
    }
  });
});
