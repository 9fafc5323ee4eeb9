import { AuthModule } from '@app/auth';
import { LedgerModule } from '@app/ledger';
import { MessagingModule } from '@app/messaging';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { VintedModule } from '@app/vinted';
import { WhatsappNumbersModule } from '@app/whatsapp';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The migrations own the schema; the entities only describe it. TypeORM's schema builder, asked
 * what it would change (without changing anything), must find nothing: otherwise an entity says
 * one thing (a type, a nullability, a default, an index, a check or foreign key name) and the
 * database another. Every feature module that registers entities (`TypeOrmModule.forFeature`) is
 * booted here, as the apps do with `autoLoadEntities`.
 */
describe.each(databaseTargets())('on the %s database', (target: DatabaseTarget) => {
  let testDatabase: TestDatabase;
  let app: INestApplicationContext;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(target);
    app = await createDatabaseTestApp({
      env: testDatabase.env,
      imports: [MessagingModule.forRoot(), AuthModule, LedgerModule, VintedModule, WhatsappNumbersModule],
    });
  });

  afterAll(async () => {
    await app?.close();
    await testDatabase?.cleanup();
  });

  describe('the entities of every lib', () => {
    it('describe exactly what the migrations create: no pending schema change', async () => {
      const dataSource = app.get(DataSource);
      const tables = dataSource.entityMetadatas.map((metadata) => metadata.tableName);
      expect(tables).toEqual(
        expect.arrayContaining(['users', 'refresh_tokens', 'vinted_sessions', 'whatsapp_numbers']),
      );

      const { upQueries } = await dataSource.driver.createSchemaBuilder().log();

      expect(upQueries.map((query) => query.query)).toEqual([]);
    });
  });
});
