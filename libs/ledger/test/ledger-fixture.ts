import { AuthModule } from '@app/auth';
import { LedgerService } from '../src/accounts/ledger.service';
import { LedgerModule } from '../src/ledger.module';
import { ExpirySweeper } from '../src/sweep/expiry-sweeper.service';
import { ExchangeTokensService } from '../src/tokens/exchange-tokens.service';
import { TokenStatusService } from '../src/tokens/token-status.service';
import { LedgerVerifier } from '../src/verify/ledger-verifier.service';
import { TestDatabase, createDatabaseTestApp, createTestDatabase } from '@app/testing';
import { DatabaseTarget } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One ledger app (a replica) on a test database, with SQL helpers for the specs. */
export class LedgerFixture {
  readonly tokens: ExchangeTokensService;
  readonly ledger: LedgerService;
  readonly sweeper: ExpirySweeper;
  readonly verifier: LedgerVerifier;
  readonly status: TokenStatusService;
  readonly sql: DataSource;

  constructor(readonly app: INestApplicationContext) {
    this.tokens = app.get(ExchangeTokensService);
    this.ledger = app.get(LedgerService);
    this.sweeper = app.get(ExpirySweeper);
    this.verifier = app.get(LedgerVerifier);
    this.status = app.get(TokenStatusService);
    this.sql = app.get(DataSource);
  }

  static async start(env: Record<string, string>, migrate = true): Promise<LedgerFixture> {
    return new LedgerFixture(
      await createDatabaseTestApp({
        env: { EXCHANGE_TOKEN_TTL: '3m', ...env },
        imports: [AuthModule, LedgerModule],
        migrate,
      }),
    );
  }

  /** A user inserted directly (no password hashing: these specs never log in). */
  async user(username: string, role: 'customer' | 'vendor' | 'admin' = 'customer'): Promise<number> {
    const rows = await this.sql.query<{ id: number }[]>(
      `INSERT INTO users (username, email, password_hash, role) VALUES ($1, $2, 'x', $3) RETURNING id`,
      [username, `${username}@example.com`, role],
    );
    return rows[0].id;
  }

  /** Moves tokens' expiry into the past instead of waiting for it. */
  async expire(tokens?: string[]): Promise<void> {
    await this.sql.query(
      `UPDATE exchange_tokens SET expires_at = now() - interval '1 second' WHERE status = 'active' AND ($1::text[] IS NULL OR token = ANY($1))`,
      [tokens ?? null],
    );
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const rows = await this.sql.query<{ n: string }[]>(sql, params);
    return Number(rows[0].n);
  }

  /** The ledger's invariants: verify finds nothing and no token was resolved twice. */
  async expectConsistent(): Promise<void> {
    const result = await this.verifier.run();
    expect(result.problems).toEqual([]);
    const doubly = await this.count(
      `SELECT count(*) AS n FROM (SELECT token_id FROM ledger_entries WHERE type IN ('release', 'capture') GROUP BY token_id HAVING count(*) > 1) x`,
    );
    expect(doubly).toBe(0);
  }

  close(): Promise<void> {
    return this.app.close();
  }
}

/** A test database plus `replicas` ledger apps on it (on embedded PGlite always one: it has one owner). */
export async function startLedger(target: DatabaseTarget, replicas = 1, env: Record<string, string> = {}) {
  const database: TestDatabase = await createTestDatabase(target);
  const first = await LedgerFixture.start({ ...database.env, ...env });
  const others =
    target === 'postgres'
      ? await Promise.all(
          Array.from({ length: replicas - 1 }, () => LedgerFixture.start({ ...database.env, ...env }, false)),
        )
      : [];
  const all = [first, ...others];
  return {
    database,
    main: first,
    replicas: all,
    close: async () => {
      await Promise.all(all.map((fixture) => fixture.close()));
      await database.cleanup();
    },
  };
}
