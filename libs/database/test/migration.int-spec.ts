import { MigrationService } from '../src/migration.service';
import { MIGRATIONS } from '../src/migrations';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

const ALL = MIGRATIONS.map((migration) => new migration().name);

async function tableExists(app: INestApplicationContext, table: string): Promise<boolean> {
  const [row] = await app
    .get(DataSource)
    .query<{ found: boolean }[]>('SELECT to_regclass($1) IS NOT NULL AS found', [table]);
  return row.found;
}

/**
 * Our tables' shape: `table.column` for every column and `table: constraint` for every constraint
 * (a migration's down may drop a table or a column, or restore a constraint).
 */
async function schemaShape(app: INestApplicationContext): Promise<string[]> {
  const rows = await app.get(DataSource).query<{ name: string }[]>(
    `SELECT table_name || '.' || column_name AS name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> 'migrations'
     UNION ALL
     SELECT conrelid::regclass::text || ': ' || pg_get_constraintdef(oid) FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace AND conrelid <> 'migrations'::regclass
     ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

describe.each(databaseTargets())('on the %s database', (target: DatabaseTarget) => {
  let testDatabase: TestDatabase;
  let app: INestApplicationContext;
  let migrations: MigrationService;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(target);
    app = await createDatabaseTestApp({ env: testDatabase.env, migrate: false });
    migrations = app.get(MigrationService);
  });

  afterAll(async () => {
    await app?.close();
    await testDatabase?.cleanup();
  });

  afterEach(() => jest.restoreAllMocks());

  describe(MigrationService.name, () => {
    it('applies every migration to a fresh database, in order', async () => {
      const log = jest.spyOn(Logger.prototype, 'log');
      expect(await migrations.pending()).toEqual(ALL);
      expect(await migrations.run()).toEqual(ALL);
      expect(await migrations.pending()).toEqual([]);
      expect(await tableExists(app, 'app_settings')).toBe(true);
      expect(log).toHaveBeenCalledWith(`Applied migration ${ALL[0]}`);
    });

    it('applies nothing when run again, and says the schema is up to date', async () => {
      const log = jest.spyOn(Logger.prototype, 'log');
      expect(await migrations.run()).toEqual([]);
      expect(await Promise.all([migrations.run(), migrations.run()])).toEqual([[], []]);
      expect(await migrations.pending()).toEqual([]);
      expect(log).toHaveBeenCalledWith('Database schema is up to date');
    });

    it('undoes the last migration with its down SQL and applies it again', async () => {
      // Whichever migration is last, its down SQL changes something (a table, a column, a
      // constraint) that its up SQL makes again.
      const dataSource = app.get(DataSource);
      const before = await schemaShape(app);
      await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await schemaShape(app)).not.toEqual(before);
      expect(await migrations.pending()).toEqual([ALL[ALL.length - 1]]);
      expect(await migrations.run()).toEqual([ALL[ALL.length - 1]]);
      expect(await schemaShape(app)).toEqual(before);
    });

    if (target === 'postgres') {
      it('applies each migration exactly once when replicas start together', async () => {
        const fresh = await createTestDatabase('postgres');
        const replicas = await Promise.all(
          [1, 2, 3].map(() => createDatabaseTestApp({ env: fresh.env, migrate: false })),
        );
        try {
          const applied = await Promise.all(replicas.map((replica) => replica.get(MigrationService).run()));
          expect(applied.flat()).toEqual(ALL);
          expect(await replicas[0].get(MigrationService).pending()).toEqual([]);
        } finally {
          await Promise.all(replicas.map((replica) => replica.close()));
          await fresh.cleanup();
        }
      });
    }
  });
});
