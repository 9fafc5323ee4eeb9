import { Database } from '../src/database.service';
import { SettingsRepository } from '../src/settings.repository';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out');
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Only Date is faked: sockets and timers keep working. */
const REAL_TIMERS: FakeTimersConfig['doNotFake'] = [
  'nextTick',
  'setImmediate',
  'clearImmediate',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'queueMicrotask',
  'hrtime',
  'performance',
];

describe.each(databaseTargets())('on the %s database', (target: DatabaseTarget) => {
  let testDatabase: TestDatabase;
  let app: INestApplicationContext;
  let database: Database;
  let settings: SettingsRepository;
  let dataSource: DataSource;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(target);
    app = await createDatabaseTestApp({ env: testDatabase.env });
    database = app.get(Database);
    settings = app.get(SettingsRepository);
    dataSource = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    await testDatabase?.cleanup();
  });

  describe(Database.name, () => {
    it('commits what the transaction wrote when it resolves', async () => {
      const result = await database.transaction(async (manager) => {
        await settings.set('tx.commit', { ok: true }, manager);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await settings.get('tx.commit')).toEqual({ ok: true });
    });

    it('rolls back everything the transaction wrote when it throws', async () => {
      await settings.set('tx.rollback', 'before');
      const failure = database.transaction(async (manager) => {
        await settings.set('tx.rollback', 'inside', manager);
        await settings.set('tx.rollback.new', 1, manager);
        expect(await settings.get('tx.rollback', manager)).toBe('inside');
        throw new Error('boom');
      });
      await expect(failure).rejects.toThrow('boom');
      expect(await settings.get('tx.rollback')).toBe('before');
      expect(await settings.get('tx.rollback.new')).toBeUndefined();
    });

    it('runs a transaction at the isolation level asked for', async () => {
      const level = await database.transaction(
        async (manager) =>
          (await manager.query<{ level: string }[]>("SELECT current_setting('transaction_isolation') AS level"))[0]
            .level,
        { isolation: 'SERIALIZABLE' },
      );
      expect(level).toBe('serializable');
    });

    it('reads the time from the database clock', async () => {
      const clock = async () =>
        (await dataSource.query<{ at: Date }[]>('SELECT clock_timestamp() AS at'))[0].at.getTime();
      const before = await clock();
      const now = await database.now();
      const after = await clock();
      expect(now).toBeInstanceOf(Date);
      expect(now.getTime()).toBeGreaterThanOrEqual(before);
      expect(now.getTime()).toBeLessThanOrEqual(after);
    });

    it('runs a statement on its own, prepared by name on a server only, and stays usable after it fails', async () => {
      const probe = { name: 'probe_prepared_statements', text: 'SELECT name FROM pg_prepared_statements WHERE $1' };
      for (let run = 0; run < 3; run++) {
        const names = (await database.statement<{ name: string }>(probe, [true])).map((row) => row.name);
        // Embedded, every socket connection shares PGlite's one session: a name would collide.
        expect(names.includes(probe.name)).toBe(target === 'postgres');
      }
      const failing = { name: 'probe_failing_statement', text: 'SELECT 1 / $1::int AS quotient' };
      await expect(database.statement(failing, [0])).rejects.toMatchObject({ code: '22012' });
      expect(await database.statement(failing, [1])).toEqual([{ quotient: 1 }]);
    });

    if (target === 'postgres') {
      it('retries a transaction that lost a serialization conflict until it commits', async () => {
        await settings.set('tx.counter', 0);
        let attempts = 0;
        let reads = 0;
        const increment = () =>
          database.transaction(
            async (manager) => {
              attempts++;
              const value = (await settings.get<number>('tx.counter', manager)) ?? 0;
              // First attempts wait until both have read: the second commit then must fail with 40001.
              if (++reads <= 2) {
                await waitUntil(() => reads >= 2);
              }
              await settings.set('tx.counter', value + 1, manager);
            },
            { isolation: 'SERIALIZABLE' },
          );
        await Promise.all([increment(), increment()]);
        expect(await settings.get('tx.counter')).toBe(2);
        expect(attempts).toBe(3);
      });

      // Embedded, PGlite runs in this process and its clock is this process's Date: faking Date moves both.
      it('ignores the process clock when the server has its own', async () => {
        jest.useFakeTimers({ now: new Date('2001-02-03T04:05:06Z'), doNotFake: REAL_TIMERS });
        try {
          expect(new Date().getUTCFullYear()).toBe(2001);
          expect((await database.now()).getUTCFullYear()).toBeGreaterThanOrEqual(2025);
        } finally {
          jest.useRealTimers();
        }
      });
    }
  });

  describe(SettingsRepository.name, () => {
    it('returns undefined for a key never set', async () => {
      expect(await settings.get('never.set')).toBeUndefined();
    });

    it('stores any JSON value and replaces it on the next set', async () => {
      await settings.set('vinted.scheduler', { isActive: true, intervalMinutes: 30 });
      expect(await settings.get('vinted.scheduler')).toEqual({ isActive: true, intervalMinutes: 30 });
      await settings.set('vinted.scheduler', { isActive: false, intervalMinutes: 5 });
      expect(await settings.get('vinted.scheduler')).toEqual({ isActive: false, intervalMinutes: 5 });
      await settings.set('plain.string', 'on');
      expect(await settings.get<string>('plain.string')).toBe('on');
    });

    it('refuses a value that has no JSON form', async () => {
      await expect(settings.set('nothing', undefined)).rejects.toThrow(TypeError);
    });
  });
});
