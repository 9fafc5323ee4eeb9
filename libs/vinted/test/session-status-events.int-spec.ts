import {
  DatabaseTarget,
  FakeVintedServer,
  TestDatabase,
  createDatabaseTestApp,
  createTestDatabase,
  databaseTargets,
} from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VintedSessionManager } from '../src/sessions/vinted-session-manager.service';
import { VintedSessionsRepository } from '../src/sessions/vinted-sessions.repository';
import { VintedModule } from '../src/vinted.module';

describe.each(databaseTargets())('vinted.session.status_changed on the %s database', (target: DatabaseTarget) => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let fake: FakeVintedServer;
  let sql: DataSource;
  let manager: VintedSessionManager;
  let repository: VintedSessionsRepository;

  beforeAll(async () => {
    fake = await FakeVintedServer.start();
    database = await createTestDatabase(target);
    app = await createDatabaseTestApp({
      env: {
        ...database.env,
        VINTED_CREDENTIALS_SECRET: 'int-spec-secret-0123456789-0123456789-01',
        VINTED_BASE_URL: fake.baseUrl,
        VINTED_AUTO_REFRESH_ENABLED: 'false',
      },
      imports: [VintedModule],
    });
    sql = app.get(DataSource);
    manager = app.get(VintedSessionManager);
    repository = app.get(VintedSessionsRepository);
  });

  afterAll(async () => {
    await app?.close();
    await database?.cleanup();
    await fake?.close();
  });

  async function newUser(name: string): Promise<number> {
    const [user] = await sql.query<{ id: number }[]>(
      `INSERT INTO users (username, password_hash) VALUES ($1, 'x') RETURNING id`,
      [name],
    );
    return user.id;
  }

  async function changes(userId: number): Promise<unknown[]> {
    const rows = await sql.query<{ aggregate_type: string; subject: string; payload: unknown }[]>(
      `SELECT aggregate_type, subject, payload FROM outbox_events
       WHERE type = 'vinted.session.status_changed' AND subject = $1 ORDER BY seq`,
      [`users/${userId}`],
    );
    return rows.map((row) => ({ aggregate: row.aggregate_type, subject: row.subject, ...(row.payload as object) }));
  }

  const change = (userId: number, from: string, to: string, reasonKind: string | null = null) => ({
    aggregate: 'vinted_session',
    subject: `users/${userId}`,
    userId,
    from,
    to,
    reasonKind,
  });

  it('writes one event per change of status, with the failure kind that caused it, and none without a change', async () => {
    const userId = await newUser('status-events');
    const cookies: string[] = [await fake.issueSession('status-events')];
    await manager.store(userId, cookies[0]); // new: none → active
    cookies.push(await fake.issueSession('status-events'));
    await manager.store(userId, cookies[1]); // active → active: nothing
    fake.nextModes.push('server_error');
    await manager.refreshNow(userId); // transient, attempts left: stays active, nothing
    fake.nextModes.push('captcha');
    await manager.refreshNow(userId); // blocked: active → error
    await manager.refreshNow(userId); // ok: error → active
    fake.revokeAll();
    await manager.refreshNow(userId); // Vinted refused the refresh token: active → expired
    cookies.push(await fake.issueSession('status-events'));
    await manager.store(userId, cookies[2]); // expired → active

    expect(await changes(userId)).toEqual([
      change(userId, 'none', 'active'),
      change(userId, 'active', 'error', 'blocked'),
      change(userId, 'error', 'active'),
      change(userId, 'active', 'expired', 'dead'),
      change(userId, 'expired', 'active'),
    ]);
    // No cookie, token or ciphertext in any event.
    const [{ payloads }] = await sql.query<{ payloads: string }[]>(
      `SELECT string_agg(payload::text || subject || aggregate_id, ' ') AS payloads FROM outbox_events`,
    );
    const [{ sealed }] = await sql.query<{ sealed: string }[]>(
      'SELECT cookies_encrypted AS sealed FROM vinted_sessions WHERE user_id = $1',
      [userId],
    );
    for (const value of [...cookies.flatMap((jar) => jar.split('; ').map((pair) => pair.split('=')[1])), sealed]) {
      expect(payloads).not.toContain(value);
    }
  });

  it('writes requires_configuration for an unreadable session and active once a rotation made it readable', async () => {
    const userId = await newUser('status-events-key');
    await manager.store(userId, await fake.issueSession('status-events-key'));
    const [row] = await sql.query<{ id: number; sealed: string; keyId: string }[]>(
      `SELECT id, cookies_encrypted AS sealed, key_id AS "keyId" FROM vinted_sessions WHERE user_id = $1`,
      [userId],
    );
    await sql.query(`UPDATE vinted_sessions SET key_id = 'k9-gone' WHERE id = $1`, [row.id]);
    await manager.refresh(row.id, { mode: 'wait' }); // the key is missing: unreadable
    await repository.replaceCiphertext(row.id, row.sealed, { cookiesEncrypted: 'resealed', keyId: row.keyId });
    await repository.replaceCiphertext(row.id, 'resealed', { cookiesEncrypted: 'again', keyId: row.keyId }); // active already

    expect(await changes(userId)).toEqual([
      change(userId, 'none', 'active'),
      change(userId, 'active', 'requires_configuration', 'configuration'),
      change(userId, 'requires_configuration', 'active'),
    ]);
  });

  it('writes nothing for a refused change nor for an outcome whose lease was voided', async () => {
    const userId = await newUser('status-events-refused');
    await manager.store(userId, await fake.issueSession('status-events-refused'));
    const [{ id }] = await sql.query<{ id: number }[]>('SELECT id FROM vinted_sessions WHERE user_id = $1', [userId]);
    const claim = await repository.claimLease(id, 60_000, 0);
    const failure = { kind: 'dead' as const, reason: 'x', consecutiveFailures: 1, retryInMs: null };
    // The status CHECK refuses the update: the statement, its event included, is rolled back.
    await expect(
      repository.recordFailure(id, claim!.leaseId, { ...failure, status: 'bogus' as 'expired' }),
    ).rejects.toThrow();
    await expect(
      repository.recordFailure(id, 'f0e1d2c3-0000-4000-8000-000000000000', { ...failure, status: 'expired' }),
    ).resolves.toBe(false);
    // A store for a user that does not exist is refused too (foreign key): no event.
    await expect(
      repository.upsert(999_999, {
        cookiesEncrypted: 's',
        keyId: 'k',
        expiresAt: new Date(),
        refreshExpiresAt: new Date(),
      }),
    ).rejects.toThrow();

    expect(await changes(userId)).toEqual([change(userId, 'none', 'active')]);
    expect(await changes(999_999)).toEqual([]);
    const [{ status }] = await sql.query<{ status: string }[]>('SELECT status FROM vinted_sessions WHERE id = $1', [
      id,
    ]);
    expect(status).toBe('active');
  });
});
