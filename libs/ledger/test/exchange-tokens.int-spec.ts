import { createHash } from 'node:crypto';
import { Client } from 'pg';
import {
  InsufficientPointsError,
  TokenAlreadyUsedError,
  TokenExpiredError,
  TokenNotFoundError,
} from '../src/ledger.errors';
import { ExpirySweeper } from '../src/sweep/expiry-sweeper.service';
import { STATUS_PAGE } from '../src/tokens/exchange-token.statements';
import { ExchangeTokensService } from '../src/tokens/exchange-tokens.service';
import { TokenStatusService } from '../src/tokens/token-status.service';
import { DatabaseTarget, databaseTargets } from '@app/testing';
import { LedgerFixture, startLedger } from './ledger-fixture';

interface PlanNode {
  Alias?: string;
  Plans?: PlanNode[];
}

function findPlan(node: PlanNode, match: (node: PlanNode) => boolean): PlanNode | undefined {
  return match(node) ? node : node.Plans?.map((child) => findPlan(child, match)).find((found) => found !== undefined);
}

describe.each(databaseTargets())('exchange tokens on the %s database', (target: DatabaseTarget) => {
  let env: Awaited<ReturnType<typeof startLedger>>;
  let f: LedgerFixture;
  let vendor: number;
  let n = 0;

  /** A fresh customer with `points` granted. */
  async function customer(points: number): Promise<number> {
    const name = `customer${++n}`;
    const id = await f.user(name);
    if (points > 0) {
      await f.ledger.grant(name, points, 'test');
    }
    return id;
  }

  beforeAll(async () => {
    env = await startLedger(target);
    f = env.main;
    vendor = await f.user('vendor', 'vendor');
  });
  afterAll(async () => env?.close());
  afterEach(async () => f.expectConsistent());

  describe(ExchangeTokensService.name, () => {
    it('holds the points at once and captures them when a vendor validates the token', async () => {
      const alice = await customer(500);
      const created = await f.tokens.create(alice, 100);
      expect(created).toMatchObject({
        points: 100,
        expiresInSeconds: 180,
        qrCode: expect.stringMatching(/^data:image\/png;base64,/),
      });
      expect(created.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(await f.ledger.balances(alice)).toEqual({ balance: 400, held: 100 });

      const request = await f.tokens.validate(vendor, created.token);
      expect(request).toMatchObject({ token: created.token, points: 100, customer: `customer${n}`, vendor: 'vendor' });
      expect(await f.ledger.balances(alice)).toEqual({ balance: 400, held: 0 });
      await expect(f.tokens.validate(vendor, created.token)).rejects.toBeInstanceOf(TokenAlreadyUsedError);
      const journal = await f.ledger.journal(alice);
      expect(journal.entries.map((entry) => entry.type)).toEqual(['capture', 'hold', 'grant']);
    });

    it('refuses more than the balance with the available and requested amounts, holding nothing', async () => {
      const bob = await customer(50);
      const error = await f.tokens.create(bob, 100).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InsufficientPointsError);
      expect(error).toMatchObject({
        status: 409,
        code: 'insufficient_points',
        extra: { available: 50, requested: 100 },
      });
      expect(await f.ledger.balances(bob)).toEqual({ balance: 50, held: 0 });
    });

    it('refuses points that are not a positive integer before touching the balance', async () => {
      const carol = await customer(50);
      for (const points of [0, -5, 2.5, Number.NaN, 2 ** 31]) {
        await expect(f.tokens.create(carol, points)).rejects.toMatchObject({ status: 400, code: 'invalid' });
      }
      expect(await f.ledger.balances(carol)).toEqual({ balance: 50, held: 0 });
    });

    it('answers 404 for unknown tokens and for values that cannot be tokens', async () => {
      for (const value of ['A'.repeat(32), 'short', "'; DROP TABLE users; --", '', 42, null, 'é'.repeat(32)]) {
        await expect(f.tokens.validate(vendor, value)).rejects.toBeInstanceOf(TokenNotFoundError);
      }
    });

    it('releases an expired token on validation (410 with the points) and answers 410 again after it is gone', async () => {
      const dan = await customer(300);
      const { token } = await f.tokens.create(dan, 120);
      await f.expire([token]);
      await expect(f.tokens.validate(vendor, token)).rejects.toMatchObject({
        status: 410,
        code: 'token_expired',
        extra: { pointsRestored: 120 },
      });
      expect(await f.ledger.balances(dan)).toEqual({ balance: 300, held: 0 });
      expect(await f.count('SELECT count(*) AS n FROM exchange_tokens WHERE token = $1', [token])).toBe(0);
      await expect(f.tokens.validate(vendor, token)).rejects.toBeInstanceOf(TokenExpiredError);
      expect(await f.count(`SELECT count(*) AS n FROM sweep_runs WHERE trigger = 'validate'`)).toBe(1);
    });

    it('sweeps the customer’s expired tokens before creating a new one, so their points count', async () => {
      const erin = await customer(100);
      const first = await f.tokens.create(erin, 100);
      await f.expire([first.token]);
      const second = await f.tokens.create(erin, 100);
      expect(await f.ledger.balances(erin)).toEqual({ balance: 0, held: 100 });
      const types = (await f.ledger.journal(erin)).entries.map((entry) => [entry.type, entry.tokenId]);
      expect(types).toEqual([
        ['hold', second.token],
        ['release', first.token],
        ['hold', first.token],
        ['grant', null],
      ]);
    });

    it('keeps the release of expired tokens when the new creation is refused for want of points', async () => {
      const ivy = await customer(100);
      const first = await f.tokens.create(ivy, 100);
      await f.expire([first.token]);
      await expect(f.tokens.create(ivy, 150, 'too-much')).rejects.toMatchObject({
        code: 'insufficient_points',
        extra: { available: 100, requested: 150 },
      });
      expect(await f.ledger.balances(ivy)).toEqual({ balance: 100, held: 0 });
      expect(await f.count(`SELECT count(*) AS n FROM idempotency_keys WHERE key = 'too-much'`)).toBe(0);
      expect((await f.tokens.create(ivy, 100, 'too-much')).points).toBe(100);
    });

    it('returns the first answer for a retried Idempotency-Key and holds nothing more, even concurrently', async () => {
      const fay = await customer(1000);
      const first = await f.tokens.create(fay, 100, 'key-1');
      const again = await f.tokens.create(fay, 100, 'key-1');
      expect(again).toEqual({ ...first, expiresInSeconds: expect.any(Number) });
      const together = await Promise.all(Array.from({ length: 8 }, () => f.tokens.create(fay, 100, 'key-2')));
      expect(new Set(together.map((answer) => answer.token)).size).toBe(1);
      expect(await f.ledger.balances(fay)).toEqual({ balance: 800, held: 200 });
      await expect(f.tokens.create(fay, 50, 'key-1')).rejects.toMatchObject({
        status: 422,
        code: 'idempotency_key_reused',
      });
      await expect(f.tokens.create(fay, 50, 'bad key with spaces')).rejects.toMatchObject({
        status: 400,
        code: 'invalid_idempotency_key',
      });
      expect(await f.ledger.balances(fay)).toEqual({ balance: 800, held: 200 });
    });

    it('answers concurrent retries of one key with the first answer when the balance covers only one', async () => {
      const lee = await customer(100);
      const together = await Promise.all(Array.from({ length: 6 }, () => f.tokens.create(lee, 100, 'only-one')));
      expect(new Set(together.map((answer) => answer.token)).size).toBe(1);
      expect(new Set(together.map((answer) => answer.qrCode)).size).toBe(1);
      expect(await f.ledger.balances(lee)).toEqual({ balance: 0, held: 100 });
    });

    it('remembers a key’s answer without its image and replays the image an older answer stored', async () => {
      const max = await customer(500);
      const first = await f.tokens.create(max, 100, 'lean');
      const [row] = await f.sql.query(`SELECT response FROM idempotency_keys WHERE user_id = $1 AND key = 'lean'`, [
        max,
      ]);
      expect(row.response).toEqual({ token: first.token, points: 100, expiresAt: first.expiresAt });
      // An answer remembered before the image was left out of it keeps being replayed as stored.
      const fingerprint = createHash('sha256')
        .update(JSON.stringify({ points: 100 }))
        .digest('hex');
      const older = { ...first, token: 'B'.repeat(32), qrCode: 'data:image/png;base64,b2xkZXI=' };
      await f.sql.query(
        `INSERT INTO idempotency_keys (user_id, key, fingerprint, response) VALUES ($1, 'older', $2, $3)`,
        [max, fingerprint, JSON.stringify(older)],
      );
      expect(await f.tokens.create(max, 100, 'older')).toEqual({ ...older, expiresInSeconds: expect.any(Number) });
      expect(await f.ledger.balances(max)).toEqual({ balance: 400, held: 100 });
    });

    it('creates, validates, pages the status and reads the balances and the journal in one statement each', async () => {
      const nat = await customer(500);
      // Every statement any connection of this process sends passes through pg's Client#query.
      const queries = jest.spyOn(Client.prototype, 'query');
      try {
        const created = await f.tokens.create(nat, 100);
        const keyed = await f.tokens.create(nat, 100, 'counted');
        const replayed = await f.tokens.create(nat, 100, 'counted');
        expect(replayed.token).toBe(keyed.token);
        await f.tokens.validate(vendor, created.token);
        await f.status.status(nat);
        await f.ledger.balances(nat);
        await f.ledger.journal(nat, { limit: 1 });
        expect(queries).toHaveBeenCalledTimes(7);
      } finally {
        queries.mockRestore();
      }
    });

    it('lets a key whose first attempt failed be used again once the balance allows', async () => {
      const gus = await customer(50);
      await expect(f.tokens.create(gus, 100, 'retry')).rejects.toBeInstanceOf(InsufficientPointsError);
      await f.ledger.grant(`customer${n}`, 50);
      expect((await f.tokens.create(gus, 100, 'retry')).points).toBe(100);
      expect(await f.ledger.balances(gus)).toEqual({ balance: 0, held: 100 });
    });
  });

  describe(TokenStatusService.name, () => {
    it('pages active tokens first, then used ones by an index, however many used tokens pile up', async () => {
      const jay = await customer(10_000);
      const live = await f.tokens.create(jay, 5);
      // 3,000 used tokens of history, written set-based as 3,000 redemptions would have left them.
      await f.sql.query(
        `WITH made AS (
           INSERT INTO exchange_tokens (token, user_id, points, status, expires_at, used_at)
           SELECT md5('used-' || $1::int || '-' || g), $1::int, 1, 'used', now(), now() FROM generate_series(1, 3000) g RETURNING token
         ), entries AS (
           INSERT INTO ledger_entries (user_id, type, points, token_id) SELECT $1::int, t.type, 1, token FROM made, (VALUES ('hold'), ('capture')) t(type)
         )
         UPDATE point_accounts SET balance = balance - 3000 WHERE user_id = $1::int`,
        [jay],
      );
      await f.sql.query('ANALYZE exchange_tokens');
      const first = await f.status.status(jay, { limit: 20 });
      expect(first.tokens[0]).toMatchObject({ token: live.token, status: 'active' });
      expect(first.tokens.slice(1).every((t) => t.status === 'used')).toBe(true);
      const second = await f.status.status(jay, { limit: 20, cursor: first.nextCursor ?? undefined });
      expect(second.tokens).toHaveLength(20);
      expect(new Set([...first.tokens, ...second.tokens].map((t) => t.token)).size).toBe(40);
      // The page's own statement, planned as a prepared statement may come to run it: generic, for
      // any user and cursor. The used group (what grows with history) is one index seek, its cursor
      // an index condition, with no sort.
      const used = await f.sql.transaction(async (manager) => {
        await manager.query('SET LOCAL plan_cache_mode = force_generic_plan');
        await manager.query(`PREPARE status_page(int, boolean, bigint, bigint, int) AS ${STATUS_PAGE.text}`);
        try {
          const [{ 'QUERY PLAN': plan }] = await manager.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }[]>(
            `EXPLAIN (FORMAT JSON) EXECUTE status_page(${jay}, false, NULL, 1000000, 21)`,
          );
          return JSON.stringify(findPlan(plan[0].Plan, (node) => node.Alias === 'used'));
        } finally {
          // Embedded, every connection shares one session: leave no prepared statement behind.
          await manager.query('DEALLOCATE status_page');
        }
      });
      expect(used).toContain('"Index Name":"exchange_tokens_user_status_idx"');
      expect(used).toMatch(/"Index Cond":"\(\(user_id = \$1\) AND \(status = 'used'::text\) AND \(seq < COALESCE/);
      expect(used).not.toContain('"Sort"');
    });
  });

  describe(ExpirySweeper.name, () => {
    it('restores every expired token exactly once, reports per user and records the run', async () => {
      await f.sweeper.sweep({ trigger: 'cli' }); // leftovers of earlier tests
      const users = [await customer(500), await customer(500)];
      const made = [
        ...(await Promise.all([100, 100].map((p) => f.tokens.create(users[0], p)))),
        ...(await Promise.all([20, 15, 15].map((p) => f.tokens.create(users[1], p)))),
      ];
      await f.expire(made.map((m) => m.token));
      expect(await f.sweeper.countExpired()).toBe(5);
      const preview = await f.sweeper.sweep({ trigger: 'cli', dryRun: true });
      expect(preview).toMatchObject({ dryRun: true, tokens: 5, points: 250 });
      expect(await f.sweeper.countExpired()).toBe(5);

      const report = await f.sweeper.sweep({ trigger: 'cli', batchSize: 2 });
      expect(report).toMatchObject({ tokens: 5, points: 250, dryRun: false });
      expect(report.users.map((u) => [u.user, u.points, u.tokens])).toEqual([
        [`customer${n - 1}@example.com`, 200, 2],
        [`customer${n}@example.com`, 50, 3],
      ]);
      expect(await f.ledger.balances(users[0])).toEqual({ balance: 500, held: 0 });
      expect(await f.sweeper.countExpired()).toBe(0);
      expect((await f.sweeper.sweep({ trigger: 'cli' })).tokens).toBe(0);
      const runs = await f.sql.query(
        `SELECT tokens, users, points FROM sweep_runs WHERE trigger = 'cli' ORDER BY id DESC LIMIT 2`,
      );
      expect(runs).toEqual([
        { tokens: 0, users: 0, points: '0' },
        { tokens: 5, users: 2, points: '250' },
      ]);
    });

    it('leaves unexpired and used tokens alone', async () => {
      const hal = await customer(300);
      const live = await f.tokens.create(hal, 100);
      const used = await f.tokens.create(hal, 100);
      await f.tokens.validate(vendor, used.token);
      await f.sql.query(`UPDATE exchange_tokens SET expires_at = now() - interval '1 minute' WHERE token = $1`, [
        used.token,
      ]);
      expect((await f.sweeper.sweep({ trigger: 'cron' })).tokens).toBe(0);
      expect(await f.ledger.balances(hal)).toEqual({ balance: 100, held: 100 });
      expect(
        await f.count('SELECT count(*) AS n FROM exchange_tokens WHERE token = ANY($1)', [[live.token, used.token]]),
      ).toBe(2);
    });

    it('makes the journal append-only', async () => {
      await expect(f.sql.query('UPDATE ledger_entries SET points = points + 1')).rejects.toThrow(/append-only/);
      await expect(f.sql.query('DELETE FROM ledger_entries')).rejects.toThrow(/append-only/);
    });
  });
});
