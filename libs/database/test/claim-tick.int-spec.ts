import { Database } from '../src/database.service';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';

const REPLICAS = 4;

describe.each(databaseTargets())(`${Database.name}.claimTick on the %s database`, (target: DatabaseTarget) => {
  let testDatabase: TestDatabase;
  let apps: INestApplicationContext[] = [];
  let replicas: Database[];

  beforeAll(async () => {
    testDatabase = await createTestDatabase(target);
    const first = await createDatabaseTestApp({ env: testDatabase.env, migrate: true });
    // Separate DataSources on a server, as replicas have; embedded, one process owns the database.
    const others =
      target === 'postgres'
        ? await Promise.all(
            Array.from({ length: REPLICAS - 1 }, () =>
              createDatabaseTestApp({ env: testDatabase.env, migrate: false }),
            ),
          )
        : [];
    apps = [first, ...others];
    replicas = Array.from({ length: REPLICAS }, (_, i) => apps[i % apps.length].get(Database));
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await testDatabase?.cleanup();
  });

  it('gives each tick to exactly one of the replicas that claim it, and the next tick again to one', async () => {
    const winners: Date[] = [];
    for (let round = 0; round < 3; round++) {
      const claims = await Promise.all(replicas.map((database) => database.claimTick('test.job')));
      const won = claims.filter((tick): tick is Date => tick !== undefined);
      // Claims that straddle a second boundary may name two ticks; never one tick twice.
      expect(new Set(won.map((tick) => tick.getTime())).size).toBe(won.length);
      winners.push(...won);
      await new Promise((resolve) => setTimeout(resolve, 1_050));
    }
    expect(winners.length).toBeGreaterThanOrEqual(3);
    expect(winners.every((tick) => tick.getMilliseconds() === 0)).toBe(true);
    expect(new Set(winners.map((tick) => tick.getTime())).size).toBe(winners.length);
  });

  it('keeps jobs apart and refuses a tick already claimed', async () => {
    const tick = await replicas[0].claimTick('test.other', 'minute');
    expect(tick?.getSeconds()).toBe(0);
    const again = await replicas[1].claimTick('test.other', 'minute');
    if (again !== undefined) {
      // The minute turned between the two claims: the later tick is new, and now taken.
      expect(again.getTime()).toBeGreaterThan(tick?.getTime() ?? 0);
      await expect(replicas[2].claimTick('test.other', 'minute')).resolves.toBeUndefined();
    }
    await expect(replicas[1].claimTick('test.job')).resolves.toBeDefined(); // another job, its own ticks
  });
});
