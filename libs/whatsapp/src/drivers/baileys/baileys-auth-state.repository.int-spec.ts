import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BaileysAuthStateRepository } from './baileys-auth-state.repository';
import { CredentialsCipher } from './credentials-cipher';

const SECRET = 'whatsapp-test-secret-0123456789-0123456789';
const SID = 'session_6_+221771234567';

describe.each(databaseTargets())('BaileysAuthStateRepository on the %s database', (target: DatabaseTarget) => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let dataSource: DataSource;
  let repository: BaileysAuthStateRepository;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    app = await createDatabaseTestApp({ env: database.env });
    dataSource = app.get(DataSource);
    repository = new BaileysAuthStateRepository(dataSource, new CredentialsCipher(SECRET));
  });

  afterAll(async () => {
    await app?.close();
    await database?.cleanup();
  });

  it('stores credentials and keys encrypted, and reads them back', async () => {
    const creds = JSON.stringify({
      noiseKey: { private: { type: 'Buffer', data: 'c2VjcmV0LW5vaXNlLWtleQ==' } },
      registered: true,
    });
    await repository.write(SID, [
      { category: 'creds', itemId: 'creds', json: creds },
      { category: 'pre-key', itemId: '1', json: '{"public":"a"}' },
      { category: 'pre-key', itemId: '2', json: '{"public":"b"}' },
    ]);
    const rows = await dataSource.query<{ sealed: string }[]>(
      'SELECT sealed FROM whatsapp_auth_state WHERE session_id = $1',
      [SID],
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.sealed).not.toMatch(/noise|public|c2VjcmV0/); // nothing readable at rest
    }
    expect((await repository.read(SID, 'creds', ['creds'])).get('creds')).toBe(creds);
    expect(await repository.read(SID, 'pre-key', ['1', '2', '3'])).toEqual(
      new Map([
        ['1', '{"public":"a"}'],
        ['2', '{"public":"b"}'],
      ]),
    );

    await repository.write(SID, [{ category: 'pre-key', itemId: '1', json: null }]);
    expect([...(await repository.read(SID, 'pre-key', ['1', '2'])).keys()]).toEqual(['2']);
  });

  it("refuses values read with another key, or moved to another session's row", async () => {
    await repository.write('session_7_+221770000007', [
      { category: 'creds', itemId: 'creds', json: '{"registered":true}' },
    ]);
    const other = new BaileysAuthStateRepository(dataSource, new CredentialsCipher(`${SECRET}-rotated`));
    await expect(other.read('session_7_+221770000007', 'creds', ['creds'])).rejects.toThrow();
    await dataSource.query(
      `UPDATE whatsapp_auth_state SET sealed = (SELECT sealed FROM whatsapp_auth_state WHERE session_id = 'session_7_+221770000007' AND category = 'creds')
       WHERE session_id = $1 AND category = 'creds'`,
      [SID],
    );
    await expect(repository.read(SID, 'creds', ['creds'])).rejects.toThrow();
  });

  it('wipes a session and lists one item of every session', async () => {
    await repository.write('session_8_+221770000008', [
      { category: 'meta', itemId: 'session', json: '{"workerId":"worker-1"}' },
    ]);
    expect(await repository.readAll('meta', 'session')).toEqual([
      { sessionId: 'session_8_+221770000008', json: '{"workerId":"worker-1"}' },
    ]);
    await repository.wipe('session_8_+221770000008');
    expect(await repository.readAll('meta', 'session')).toEqual([]);
  });
});
