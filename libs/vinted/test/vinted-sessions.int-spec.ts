import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { VintedSessionsRepository } from '../src/sessions/vinted-sessions.repository';
import { VintedModule } from '../src/vinted.module';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';

const REPLICAS = 6;
const HOUR = 3_600_000;

describe.each(databaseTargets())('VintedSessionsRepository on the %s database', (target: DatabaseTarget) => {
  let database: TestDatabase;
  let apps: INestApplicationContext[] = [];
  let repository: VintedSessionsRepository;
  let dataSource: DataSource;

  /** A user with a session whose access token expires `inMs` from now, plus any column overrides. */
  async function session(name: string, inMs: number, set = ''): Promise<number> {
    const [user] = await dataSource.query<{ id: number }[]>(
      `INSERT INTO users (username, password_hash) VALUES ($1, 'x') RETURNING id`,
      [name],
    );
    await repository.upsert(user.id, {
      cookiesEncrypted: 'sealed',
      keyId: 'k1-test',
      expiresAt: new Date(Date.now() + inMs),
      refreshExpiresAt: new Date(Date.now() + 7 * 24 * HOUR),
    });
    if (set !== '') {
      await dataSource.query(`UPDATE vinted_sessions SET ${set} WHERE user_id = $1`, [user.id]);
    }
    const [row] = await dataSource.query<{ id: number }[]>('SELECT id FROM vinted_sessions WHERE user_id = $1', [
      user.id,
    ]);
    return row.id;
  }

  beforeAll(async () => {
    database = await createTestDatabase(target);
    // On a server, separate contexts are separate connection pools, as replicas have.
    const count = target === 'postgres' ? REPLICAS : 1;
    apps = [];
    for (let i = 0; i < count; i++) {
      apps.push(
        await createDatabaseTestApp({
          env: { ...database.env, VINTED_CREDENTIALS_SECRET: 'int-spec-secret-0123456789-0123456789-01' },
          imports: [VintedModule],
          migrate: i === 0,
        }),
      );
    }
    repository = apps[0].get(VintedSessionsRepository);
    dataSource = apps[0].get(DataSource);
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await database?.cleanup();
  });

  it('selects the sessions due within the window: live and expiring, or backed-off errors whose time has come', async () => {
    const due = await session('due', 10 * 60_000);
    const later = await session('later', 3 * HOUR);
    const expired = await session('dead', -60_000, `status = 'expired'`);
    const backingOff = await session(
      'backing-off',
      60_000,
      `status = 'error', next_attempt_at = now() + interval '5 minutes'`,
    );
    const retryNow = await session(
      'retry-now',
      3 * HOUR,
      `status = 'error', next_attempt_at = now() - interval '1 second'`,
    );
    const givenUp = await session(
      'given-up',
      60_000,
      `status = 'error', next_attempt_at = NULL, consecutive_failures = 5`,
    );
    const leased = await session(
      'leased',
      60_000,
      `refresh_lease_id = gen_random_uuid(), refresh_lease_until = now() + interval '1 minute'`,
    );
    const ids = await repository.findDueIds(35 * 60_000, 100);
    expect(ids.sort()).toEqual([due, retryNow].sort());
    expect(ids).not.toEqual(expect.arrayContaining([later, expired, backingOff, givenUp, leased]));
  });

  it('grants a session lease to exactly one of many concurrent claimers, and again once released', async () => {
    const id = await session('contended', 60_000);
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        apps[i % apps.length].get(VintedSessionsRepository).claimLease(id, 60_000, 5 * 60_000),
      ),
    );
    const winners = claims.filter((claim) => claim !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.session).toEqual(expect.objectContaining({ username: 'contended', needsRefresh: true }));
    await expect(repository.leaseHeld(id)).resolves.toBe(true);
    await repository.releaseLease(id, winners[0].leaseId);
    await expect(repository.claimLease(id, 60_000, 0)).resolves.toBeDefined();
  });

  it('drops the outcome of a refresh whose lease was voided by newly stored cookies', async () => {
    const id = await session('voided', 60_000);
    const claim = await repository.claimLease(id, 60_000, 0);
    const [{ user_id: userId }] = await dataSource.query<{ user_id: number }[]>(
      'SELECT user_id FROM vinted_sessions WHERE id = $1',
      [id],
    );
    await repository.upsert(userId, {
      cookiesEncrypted: 'newer',
      keyId: 'k1-test',
      expiresAt: new Date(Date.now() + 2 * HOUR),
      refreshExpiresAt: new Date(Date.now() + 7 * 24 * HOUR),
    });
    const stale = { cookiesEncrypted: 'stale', keyId: 'k1-test', expiresAt: new Date(), refreshExpiresAt: new Date() };
    await expect(repository.recordSuccess(id, claim!.leaseId, stale)).resolves.toBe(false);
    const [row] = await dataSource.query<{ cookies_encrypted: string }[]>(
      'SELECT cookies_encrypted FROM vinted_sessions WHERE id = $1',
      [id],
    );
    expect(row.cookies_encrypted).toBe('newer');
  });
});
