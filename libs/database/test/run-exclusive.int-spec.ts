import { Database, ExclusiveResult } from '../src/database.service';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';

const CALLERS = 8;

/** A promise the test opens by hand: the lock holder stays busy exactly until then. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out');
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.each(databaseTargets())('on the %s database', (target: DatabaseTarget) => {
  let testDatabase: TestDatabase;
  let apps: INestApplicationContext[] = [];
  /** On a server: one Database per app, i.e. separate DataSources and connections, as replicas have. */
  let callers: Database[];

  beforeAll(async () => {
    testDatabase = await createTestDatabase(target);
    // Embedded, one process owns the database: the callers are concurrent calls within it.
    const replicas = target === 'postgres' ? CALLERS : 1;
    apps = await Promise.all(
      Array.from({ length: replicas }, () => createDatabaseTestApp({ env: testDatabase.env, migrate: false })),
    );
    callers = Array.from({ length: CALLERS }, (_, i) => apps[i % apps.length].get(Database));
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await testDatabase?.cleanup();
  });

  describe(`${Database.name}.runExclusive`, () => {
    it(`lets exactly one of ${CALLERS} concurrent callers run while it holds the lock`, async () => {
      const holding = gate();
      let refused = 0;
      const calls = callers.map((database) =>
        database
          .runExclusive('test.job', async () => {
            await holding.opened;
            return 'done';
          })
          .then((outcome: ExclusiveResult<string>) => {
            refused += outcome.ran ? 0 : 1;
            return outcome;
          }),
      );
      // The others are turned away at once, while the winner is still inside its job.
      await waitUntil(() => refused === CALLERS - 1);
      holding.open();
      const outcomes = await Promise.all(calls);
      expect(outcomes.filter((outcome) => outcome.ran)).toEqual([{ ran: true, result: 'done' }]);
    });

    it('lets the next caller run once the holder has finished', async () => {
      await expect(callers[0].runExclusive('test.sequential', () => Promise.resolve(1))).resolves.toEqual({
        ran: true,
        result: 1,
      });
      await expect(callers[1].runExclusive('test.sequential', () => Promise.resolve(2))).resolves.toEqual({
        ran: true,
        result: 2,
      });
    });

    it('releases the lock when the job throws', async () => {
      await expect(
        callers[0].runExclusive('test.throws', () => Promise.reject(new Error('job failed'))),
      ).rejects.toThrow('job failed');
      await expect(callers[1].runExclusive('test.throws', () => Promise.resolve('after'))).resolves.toEqual({
        ran: true,
        result: 'after',
      });
    });

    it('does not hold back a job of another name', async () => {
      const holding = gate();
      const first = callers[0].runExclusive('test.a', () => holding.opened);
      await expect(callers[1].runExclusive('test.b', () => Promise.resolve('b'))).resolves.toEqual({
        ran: true,
        result: 'b',
      });
      holding.open();
      await expect(first).resolves.toEqual({ ran: true, result: undefined });
    });

    it('lets the job run its own transactions while it holds the lock', async () => {
      const database = callers[0];
      const outcome = await database.runExclusive('test.transactions', () =>
        database.transaction(async (manager) => (await manager.query<{ one: number }[]>('SELECT 1 AS one'))[0].one),
      );
      expect(outcome).toEqual({ ran: true, result: 1 });
    });
  });
});
