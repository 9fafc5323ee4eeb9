import { MIGRATIONS } from '@app/database';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';

const NAME = 'AddVintedSessionLastErrorKind1764200000000';

/** `last_error` as written before the kind had a column of its own, and what the backfill makes of it. */
const ROWS: [stored: string | null, kind: string | null, reason: string | null][] = [
  ['blocked: HTTP 429 rate limited (anti-bot)', 'blocked', 'HTTP 429 rate limited (anti-bot)'],
  [
    'transient: HTTP 502 without a new access_token_web cookie',
    'transient',
    'HTTP 502 without a new access_token_web cookie',
  ],
  ['dead: HTTP 401: Vinted refused the refresh token', 'dead', 'HTTP 401: Vinted refused the refresh token'],
  ['configuration: no key k1-old', 'configuration', 'no key k1-old'],
  ['something else: kept as it is', null, 'something else: kept as it is'],
  [null, null, null],
];

describe.each(databaseTargets())('the last_error_kind migration on the %s database', (target: DatabaseTarget) => {
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

  async function stored(runner: QueryRunner, columns: string): Promise<unknown[][]> {
    const rows = (await runner.query(`SELECT ${columns} FROM vinted_sessions ORDER BY id`)) as Record<
      string,
      unknown
    >[];
    return rows.map((row) => Object.values(row));
  }

  it('moves the kind prefix of last_error into last_error_kind, and puts it back on the way down', async () => {
    const migration = MIGRATIONS.map((each) => new each()).find((each) => each.name === NAME);
    if (migration === undefined) {
      throw new Error(`${NAME} is not in MIGRATIONS`);
    }
    // One connection for everything: the embedded database has exactly one.
    const runner = app.get(DataSource).createQueryRunner();
    try {
      await migration.down(runner);
      for (const [index, [lastError]] of ROWS.entries()) {
        const [user] = (await runner.query(
          `INSERT INTO users (username, password_hash) VALUES ($1, 'x') RETURNING id`,
          [`backfill-${index}`],
        )) as { id: number }[];
        await runner.query(
          `INSERT INTO vinted_sessions (user_id, cookies_encrypted, key_id, last_error) VALUES ($1, 'sealed', 'k1', $2)`,
          [user.id, lastError],
        );
      }

      await migration.up(runner);
      expect(await stored(runner, 'last_error_kind, last_error')).toEqual(
        ROWS.map(([, kind, reason]) => [kind, reason]),
      );
      await expect(runner.query(`UPDATE vinted_sessions SET last_error_kind = 'other'`)).rejects.toThrow(
        /vinted_sessions_last_error_kind_check/,
      );

      await migration.down(runner);
      expect(await stored(runner, 'last_error')).toEqual(ROWS.map(([lastError]) => [lastError]));
      await migration.up(runner);
    } finally {
      await runner.release();
    }
  });
});
