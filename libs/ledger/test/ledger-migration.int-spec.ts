import { MIGRATIONS } from '@app/database';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';

const LEDGER_TABLES = [
  'exchange_requests',
  'exchange_tokens',
  'idempotency_keys',
  'ledger_entries',
  'point_accounts',
  'sweep_runs',
];

describe.each(databaseTargets())('the ledger migration on the %s database', (target: DatabaseTarget) => {
  let database: TestDatabase;
  let app: INestApplicationContext;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    app = await createDatabaseTestApp({ env: database.env });
  });
  afterAll(async () => {
    await app?.close();
    await database?.cleanup();
  });

  it('drops with its down SQL everything its up SQL created, and applies again', async () => {
    const ledger = MIGRATIONS.map((migration) => new migration()).find(
      (migration) => migration.name === 'CreateLedger1763900000000',
    );
    if (ledger === undefined) {
      throw new Error('CreateLedger1763900000000 is not in MIGRATIONS');
    }
    // One connection for everything: the embedded database has exactly one.
    const runner = app.get(DataSource).createQueryRunner();
    const tables = async (): Promise<string[]> => {
      const rows = (await runner.query(
        `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY($1) ORDER BY 1`,
        [LEDGER_TABLES],
      )) as { name: string }[];
      return rows.map((row) => row.name);
    };
    try {
      expect(await tables()).toEqual(LEDGER_TABLES);
      await ledger.down(runner);
      expect(await tables()).toEqual([]);
      await ledger.up(runner);
      expect(await tables()).toEqual(LEDGER_TABLES);
    } finally {
      await runner.release();
    }
  });
});
