import { AuthModule, TokensService, UsersService } from '@app/auth';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';

interface EventRow {
  aggregate_id: string;
  subject: string;
  payload: { userId: number; familyId: string; reason: string };
}

describe.each(databaseTargets())('auth.family.revoked events on the %s database', (target: DatabaseTarget) => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let tokens: TokensService;
  let sql: DataSource;
  let users = 0;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    app = await createDatabaseTestApp({ env: database.env, imports: [AuthModule], logger: ['error'] });
    tokens = app.get(TokensService);
    sql = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    await database?.cleanup();
  });

  async function newUser(): Promise<number> {
    const user = await app
      .get(UsersService)
      .create({ username: `family-${++users}`, password: 'correct-horse', email: '', role: 'customer' });
    return user.id;
  }

  function eventsOf(userId: number): Promise<EventRow[]> {
    return sql.query<EventRow[]>(
      `SELECT aggregate_id, subject, payload FROM outbox_events
       WHERE type = 'auth.family.revoked' AND (payload->>'userId')::int = $1 ORDER BY seq`,
      [userId],
    );
  }

  async function familyOf(userId: number): Promise<string[]> {
    const rows = await sql.query<{ family_id: string }[]>(
      'SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = $1 ORDER BY family_id',
      [userId],
    );
    return rows.map((row) => row.family_id);
  }

  it('writes one event for a logout, naming the family and never a token', async () => {
    const userId = await newUser();
    const { refresh } = await tokens.issuePair(userId);
    await tokens.blacklist(refresh);
    const [familyId] = await familyOf(userId);
    const events = await eventsOf(userId);
    expect(events).toEqual([
      {
        aggregate_id: familyId,
        subject: `refresh-families/${familyId}`,
        payload: { userId, familyId, reason: 'logout' },
      },
    ]);
    await expect(tokens.blacklist(refresh)).rejects.toThrow(); // already revoked: no second event
    expect(await eventsOf(userId)).toHaveLength(1);
    const all = await sql.query<{ text: string }[]>('SELECT payload::text AS text FROM outbox_events');
    expect(all.some((row) => row.text.includes(refresh))).toBe(false);
  });

  it('writes reuse when a rotated token comes back', async () => {
    const userId = await newUser();
    const first = await tokens.issuePair(userId);
    const second = (await tokens.refresh(first.refresh)) as { refresh: string };
    await tokens.refresh(second.refresh);
    await expect(tokens.refresh(first.refresh)).rejects.toThrow();
    const events = await eventsOf(userId);
    expect(events.map((event) => event.payload.reason)).toEqual(['reuse']);
  });

  it('writes one event per live family for a revoke-all and a password change', async () => {
    const userId = await newUser();
    await tokens.issuePair(userId);
    await tokens.issuePair(userId);
    await tokens.revokeAll(userId);
    await tokens.issuePair(userId);
    await app.get(UsersService).changePassword(userId, {
      old_password: 'correct-horse',
      new_password1: 'battery-staple-9',
      new_password2: 'battery-staple-9',
    });
    const events = await eventsOf(userId);
    expect(events.map((event) => event.payload.reason)).toEqual(['revoke_all', 'revoke_all', 'password_change']);
    expect(new Set(events.map((event) => event.payload.familyId))).toEqual(new Set(await familyOf(userId)));
  });

  it('writes no event when the change is refused', async () => {
    const userId = await newUser();
    await tokens.issuePair(userId);
    await expect(
      app.get(UsersService).changePassword(userId, {
        old_password: 'wrong',
        new_password1: 'battery-staple-9',
        new_password2: 'battery-staple-9',
      }),
    ).rejects.toThrow();
    expect(await eventsOf(userId)).toEqual([]);
  });
});
