import { DatabaseTarget, TestDatabase, TsScriptProcess, createTestDatabase, databaseTargets } from '@app/testing';
import { LedgerFixture } from './ledger-fixture';

const FIXTURE = 'libs/ledger/test/fixtures/sweep-process.fixture.ts';
const USERS = 40;
const TOKENS_PER_USER = 500;
const TOTAL = USERS * TOKENS_PER_USER;
const POINTS = 3;
/** Small batches: 200 transactions, so the kill lands while the sweep is well under way. */
const BATCH = 100;

/**
 * Crash drill: `kill -9` a process in the middle of sweeping a large backlog, restart, sweep again.
 * Each batch is one transaction, so the batch in flight rolls back and every token is released
 * exactly once in the end.
 */
describe.each(databaseTargets())('a sweep killed mid-batch on the %s database', (target: DatabaseTarget) => {
  let database: TestDatabase;
  let f: LedgerFixture | undefined;
  let owners: number[];

  beforeAll(async () => {
    database = await createTestDatabase(target);
    f = await LedgerFixture.start(database.env);
    owners = [];
    for (let i = 0; i < USERS; i++) {
      owners.push(await f.user(`crash${i}`));
    }
    // As if each owner had been granted points and then created TOKENS_PER_USER tokens that expired.
    await f.sql.query(
      `INSERT INTO point_accounts (user_id, balance, held) SELECT id, 0, $2::bigint FROM unnest($1::int[]) AS u(id)`,
      [owners, TOKENS_PER_USER * POINTS],
    );
    await f.sql.query(
      `INSERT INTO ledger_entries (user_id, type, points) SELECT id, 'grant', $2::bigint FROM unnest($1::int[]) AS u(id)`,
      [owners, TOKENS_PER_USER * POINTS],
    );
    await f.sql.query(
      `WITH made AS (
         INSERT INTO exchange_tokens (token, user_id, points, expires_at)
         SELECT md5(u.id || '-' || g), u.id, $3, now() - interval '1 minute' + g * interval '1 millisecond'
         FROM generate_series(1, $2::int) g, unnest($1::int[]) AS u(id) RETURNING token, user_id, points
       )
       INSERT INTO ledger_entries (user_id, type, points, token_id) SELECT user_id, 'hold', points, token FROM made`,
      [owners, TOKENS_PER_USER, POINTS],
    );
    await f.expectConsistent();
    // Embedded: one process owns the database, so the sweeper process gets it to itself.
    await f.close();
    f = undefined;
  });
  afterAll(async () => {
    await f?.close();
    await database?.cleanup();
  });

  it('restores every token exactly once after a kill -9 part-way and a restart', async () => {
    const sweeper = TsScriptProcess.start(FIXTURE, [String(BATCH)], { ...database.env, LOG_LEVEL: 'silent' });
    const [, released] = (await sweeper.waitFor(/released (\d+)\n/, 60_000)) as [string, string];
    await sweeper.kill('SIGKILL');
    expect(sweeper.stdout).not.toMatch(/done/);
    expect(Number(released)).toBeLessThan(TOTAL);

    f = await LedgerFixture.start(database.env, false);
    // Only whole batches survived: the books balance right after the crash.
    await f.expectConsistent();
    const releasedBefore = await f.count(`SELECT count(*) AS n FROM ledger_entries WHERE type = 'release'`);
    expect(releasedBefore).toBeGreaterThanOrEqual(Number(released));
    expect(releasedBefore).toBeLessThan(TOTAL);
    expect(releasedBefore % BATCH).toBe(0);

    const report = await f.sweeper.sweep({ trigger: 'cli' });
    expect(report.tokens).toBe(TOTAL - releasedBefore);
    expect(await f.count(`SELECT count(*) AS n FROM ledger_entries WHERE type = 'release'`)).toBe(TOTAL);
    expect(await f.count(`SELECT count(DISTINCT token_id) AS n FROM ledger_entries WHERE type = 'release'`)).toBe(
      TOTAL,
    );
    expect(await f.count('SELECT count(*) AS n FROM exchange_tokens')).toBe(0);
    expect(
      await f.count('SELECT count(*) AS n FROM point_accounts WHERE balance <> $1 OR held <> 0', [
        TOKENS_PER_USER * POINTS,
      ]),
    ).toBe(0);
    await f.expectConsistent();
  }, 120_000);
});
