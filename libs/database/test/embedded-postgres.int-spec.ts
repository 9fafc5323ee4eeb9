import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirInUseError, DataDirOwner, SocketPathTooLongError } from '../src/database.errors';
import { Database } from '../src/database.service';
import { EmbeddedPostgres } from '../src/embedded/embedded-postgres';
import { SettingsRepository } from '../src/settings.repository';
import { TestDatabase, TsScriptProcess, createDatabaseTestApp, createTestDatabase } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';

/** A second Hourglass process: `<role> hold|visit <key> <json>` (see the fixture's header). */
const FIXTURE = 'libs/testing/src/fixtures/database-process.fixture.ts';

const LOCK_FILE = 'hourglass.lock';
const lockOwner = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as DataDirOwner;

describe(EmbeddedPostgres.name, () => {
  const cleanups: (() => Promise<void>)[] = [];
  const freshDatabase = async () => {
    const database = await createTestDatabase('embedded');
    cleanups.push(() => database.cleanup());
    return database;
  };

  afterAll(async () => {
    for (const cleanup of cleanups) {
      await cleanup();
    }
  });

  it('keeps committed data across a restart on the same DATA_DIR, and frees the DATA_DIR on close', async () => {
    const { env, dataDir } = await freshDatabase();
    const first = await createDatabaseTestApp({ env });
    await first.get(SettingsRepository).set('restart', { survived: true });
    await first.close();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    expect(existsSync(EmbeddedPostgres.socketPath(dataDir))).toBe(false);

    const second = await createDatabaseTestApp({ env });
    try {
      expect(await second.get(SettingsRepository).get('restart')).toEqual({ survived: true });
    } finally {
      await second.close();
    }
  });

  it('keeps committed data when the owning process is killed with SIGKILL, and takes over its stale lock', async () => {
    const { env, dataDir } = await freshDatabase();
    const owner = TsScriptProcess.start(FIXTURE, ['api', 'hold', 'crash', '{"committed":true}'], env);
    await owner.waitFor(/committed/);
    const pid = owner.child.pid;
    await owner.kill('SIGKILL');
    expect(lockOwner(dataDir).pid).toBe(pid); // Left behind: the process had no chance to clean up.

    const app = await createDatabaseTestApp({ env });
    try {
      expect(lockOwner(dataDir).pid).toBe(process.pid);
      expect(await app.get(SettingsRepository).get('crash')).toEqual({ committed: true });
    } finally {
      await app.close();
    }
  });

  it('refuses a DATA_DIR too deep for a Unix socket path with a clear error', async () => {
    const dataDir = join('/tmp', 'hourglass-'.repeat(10), 'data');
    const opening = EmbeddedPostgres.open({ dataDir, role: 'api' });
    await expect(opening).rejects.toThrow(SocketPathTooLongError);
    await expect(opening).rejects.toThrow(/Use a shorter DATA_DIR or set DATABASE_URL/);
    expect(existsSync(dataDir)).toBe(false);
  });

  describe('when another process owns the DATA_DIR', () => {
    let testDatabase: TestDatabase;
    let owner: INestApplicationContext;
    let settings: SettingsRepository;

    beforeAll(async () => {
      testDatabase = await freshDatabase();
      owner = await createDatabaseTestApp({ env: testDatabase.env });
      settings = owner.get(SettingsRepository);
      await settings.set('shared', 'from the owner');
    });

    afterAll(async () => {
      await owner?.close();
    });

    it.each(['api', 'worker'])('refuses to start a second %s with one clear line and exit status 1', async (role) => {
      const { code, stdout, stderr } = await TsScriptProcess.run(
        FIXTURE,
        [role, 'visit', 'shared', '"intruder"'],
        testDatabase.env,
      );
      const { startedAt } = lockOwner(testDatabase.dataDir);
      expect({ code, stdout, stderr }).toEqual({
        code: 1,
        stdout: '',
        stderr:
          `DATA_DIR ${testDatabase.dataDir} is in use by another Hourglass process (pid ${process.pid}, api, since ${startedAt}). ` +
          'Stop it, use another DATA_DIR, or set DATABASE_URL.\n',
      });
      expect(await settings.get('shared.visitor')).toBeUndefined();
    });

    it('refuses a second api in the same process too', async () => {
      await expect(createDatabaseTestApp({ env: testDatabase.env, role: 'api', logger: false })).rejects.toThrow(
        DataDirInUseError,
      );
    });

    it("lets the cli attach through the owner's socket, read its data and write", async () => {
      const cli = await TsScriptProcess.run(FIXTURE, ['cli', 'visit', 'shared', '"from the cli"'], testDatabase.env);
      expect(cli).toMatchObject({ code: 0, stderr: '' });
      expect(cli.stdout).toBe('read "from the owner"\nwrote\n');

      // The owner sees the write and keeps reading and writing normally afterwards.
      expect(await settings.get('shared.visitor')).toBe('from the cli');
      await owner.get(Database).transaction((manager) => settings.set('shared', 'after the visit', manager));
      expect(await settings.get('shared')).toBe('after the visit');
      expect(lockOwner(testDatabase.dataDir).pid).toBe(process.pid);
    });

    it('lets a cli in the same process attach and share the data', async () => {
      const cli = await createDatabaseTestApp({ env: testDatabase.env, role: 'cli', migrate: false });
      try {
        await cli.get(SettingsRepository).set('shared.local', 42);
        expect(await settings.get('shared.local')).toBe(42);
      } finally {
        await cli.close();
      }
      // Closing an attached cli leaves the owner's server, files and lock alone.
      expect(await settings.get('shared.local')).toBe(42);
      expect(lockOwner(testDatabase.dataDir).pid).toBe(process.pid);
    });
  });
});
