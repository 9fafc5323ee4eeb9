import { AuthModule, ThrottleCountersService, ThrottleRule } from '@app/auth';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';

const RULE: ThrottleRule = { ttlMs: 60_000, limit: 5, blockMs: 60_000 };

describe.each(databaseTargets())('on the %s database', (target: DatabaseTarget) => {
  let testDatabase: TestDatabase;
  let apps: INestApplicationContext[] = [];
  /** On a server: one service per app, i.e. separate connection pools, as API processes have. */
  let services: ThrottleCountersService[];
  let dataSource: DataSource;
  let keys = 0;
  const newKey = () => `key-${++keys}`;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(target);
    const processes = target === 'postgres' ? 3 : 1;
    apps = [await createDatabaseTestApp({ env: testDatabase.env, imports: [AuthModule] })];
    for (let i = 1; i < processes; i++) {
      apps.push(await createDatabaseTestApp({ env: testDatabase.env, imports: [AuthModule], migrate: false }));
    }
    services = apps.map((app) => app.get(ThrottleCountersService));
    dataSource = apps[0].get(DataSource);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await testDatabase?.cleanup();
  });

  /** Moves a counter's clock: its window (and block) end `seconds` from now. */
  const shift = (key: string, column: 'window_ends_at' | 'blocked_until', seconds: number) =>
    dataSource.query(`UPDATE throttle_counters SET ${column} = now() + make_interval(secs => $2) WHERE key = $1`, [
      key,
      seconds,
    ]);

  describe(ThrottleCountersService.name, () => {
    it('lets exactly `limit` of many concurrent hits through, whichever process counts them', async () => {
      const key = newKey();
      const hits = await Promise.all(
        Array.from({ length: 40 }, (_, i) => services[i % services.length].hit(key, RULE)),
      );
      expect(hits.filter((hit) => !hit.blocked)).toHaveLength(RULE.limit);
      // Counted hits go 1..limit+1 (the one past the limit blocks); blocked ones are not counted.
      expect(hits.map((hit) => hit.hits).sort((a, b) => a - b)).toEqual([
        ...[1, 2, 3, 4, 5, 6],
        ...Array<number>(34).fill(RULE.limit + 1),
      ]);
      const refused = hits.filter((hit) => hit.blocked);
      expect(refused.every((hit) => hit.secondsToUnblock > 55 && hit.secondsToUnblock <= 60)).toBe(true);
    });

    it('counts one window from the first hit, then starts a new one', async () => {
      const key = newKey();
      expect(await services[0].hit(key, RULE)).toEqual({
        hits: 1,
        blocked: false,
        secondsToWindowEnd: 60,
        secondsToUnblock: 0,
      });
      await services[services.length - 1].hit(key, RULE);
      await shift(key, 'window_ends_at', -1);
      expect(await services[0].hit(key, RULE)).toMatchObject({ hits: 1, blocked: false, secondsToWindowEnd: 60 });
    });

    it('refuses the hit past the limit and every hit while blocked, then starts over once the block ends', async () => {
      const key = newKey();
      const rule = { ttlMs: 60_000, limit: 2, blockMs: 30_000 };
      await services[0].hit(key, rule);
      await services[0].hit(key, rule);
      expect(await services[0].hit(key, rule)).toEqual({
        hits: 3,
        blocked: true,
        secondsToWindowEnd: 60,
        secondsToUnblock: 30,
      });
      expect(await services[0].hit(key, rule)).toMatchObject({ hits: 3, blocked: true });
      // The block outlives the window: still refused.
      await shift(key, 'window_ends_at', -1);
      expect(await services[0].hit(key, rule)).toMatchObject({ hits: 3, blocked: true });
      await shift(key, 'blocked_until', -1);
      expect(await services[0].hit(key, rule)).toEqual({
        hits: 1,
        blocked: false,
        secondsToWindowEnd: 60,
        secondsToUnblock: 0,
      });
    });

    it('keeps the counters of other keys apart', async () => {
      const [one, two] = [newKey(), newKey()];
      const rule = { ttlMs: 60_000, limit: 1, blockMs: 60_000 };
      await services[0].hit(one, rule);
      expect(await services[0].hit(one, rule)).toMatchObject({ blocked: true });
      expect(await services[0].hit(two, rule)).toMatchObject({ hits: 1, blocked: false });
    });

    it('purges only the counters whose window and block are both over', async () => {
      const [live, blocked, dead] = [newKey(), newKey(), newKey()];
      const rule = { ttlMs: 60_000, limit: 1, blockMs: 60_000 };
      await services[0].hit(live, rule);
      await services[0].hit(blocked, rule);
      await services[0].hit(blocked, rule);
      await shift(blocked, 'window_ends_at', -1);
      await services[0].hit(dead, rule);
      await shift(dead, 'window_ends_at', -1);
      await dataSource.query(`DELETE FROM throttle_counters WHERE key NOT IN ($1, $2, $3)`, [live, blocked, dead]);

      expect(await services[0].purgeExpired()).toBe(1);

      const left = await dataSource.query<{ key: string }[]>('SELECT key FROM throttle_counters ORDER BY key');
      expect(left.map((row) => row.key).sort()).toEqual([live, blocked].sort());
    });
  });
});
