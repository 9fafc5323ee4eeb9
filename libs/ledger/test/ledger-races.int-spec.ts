import { InsufficientPointsError, TokenExpiredError } from '../src/ledger.errors';
import { ExpirySweeper } from '../src/sweep/expiry-sweeper.service';
import { DatabaseTarget, databaseTargets } from '@app/testing';
import { LedgerFixture, startLedger } from './ledger-fixture';

const REPLICAS = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Races between replicas: on a server each fixture is its own connection pool, as API replicas
 * and the CLI are; embedded (one owner) they are concurrent calls in one process.
 */
describe.each(databaseTargets())('ledger races on the %s database', (target: DatabaseTarget) => {
  let env: Awaited<ReturnType<typeof startLedger>>;
  let f: LedgerFixture;
  let replicas: LedgerFixture[];
  let vendor: number;
  let n = 0;

  async function customer(points: number): Promise<{ id: number; name: string }> {
    const name = `racer${++n}`;
    const id = await f.user(name);
    await f.ledger.grant(name, points);
    return { id, name };
  }

  beforeAll(async () => {
    env = await startLedger(target, REPLICAS);
    f = env.main;
    replicas = env.replicas;
    vendor = await f.user('vendor', 'vendor');
  });
  afterAll(async () => env?.close());
  afterEach(async () => f.expectConsistent());

  it('lets exactly one of a validation and a sweep win a token at its expiry boundary, every time', async () => {
    const rounds = 40;
    const outcomes = { captured: 0, expired: 0 };
    const alice = await customer(rounds * 10);
    for (let round = 0; round < rounds; round++) {
      const { token } = await f.tokens.create(alice.id, 10);
      // Expires 0 to 76 ms from now, so that rounds land on both sides of the instant and around
      // it, even when a loaded machine stretches the time between this update and the race.
      await f.sql.query(
        `UPDATE exchange_tokens SET expires_at = now() + $2 * interval '1 millisecond' WHERE token = $1`,
        [token, (round % 20) * 4],
      );
      await sleep(3);
      const [validation] = await Promise.allSettled([
        replicas[round % replicas.length].tokens.validate(vendor, token),
        replicas[(round + 1) % replicas.length].sweeper.sweep({ trigger: 'cron' }),
        replicas[(round + 2) % replicas.length].sweeper.sweep({ trigger: 'cron' }),
      ]);
      if (validation.status === 'fulfilled') {
        outcomes.captured++;
      } else {
        expect(validation.reason).toBeInstanceOf(TokenExpiredError);
        outcomes.expired++;
      }
      // Late sweeps find nothing more to do with this token.
      await f.sweeper.sweep({ trigger: 'cron' });
      const entries = await f.sql.query<{ type: string }[]>(
        `SELECT type FROM ledger_entries WHERE token_id = $1 ORDER BY id`,
        [token],
      );
      expect(entries.map((e) => e.type)).toEqual(['hold', validation.status === 'fulfilled' ? 'capture' : 'release']);
    }
    expect(outcomes.captured + outcomes.expired).toBe(rounds);
    // Both sides of the boundary were exercised, or the race proved nothing.
    expect(outcomes.captured).toBeGreaterThan(0);
    expect(outcomes.expired).toBeGreaterThan(0);
    const balances = await f.ledger.balances(alice.id);
    expect(balances).toEqual({ balance: outcomes.expired * 10, held: 0 });
  });

  it('never overdraws a balance when concurrent creations ask for more than it holds', async () => {
    const bob = await customer(1000);
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, (_, i) => replicas[i % replicas.length].tokens.create(bob.id, 100)),
    );
    const created = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(created).toHaveLength(10);
    refused.forEach((r) => expect(r.reason).toBeInstanceOf(InsufficientPointsError));
    expect(await f.ledger.balances(bob.id)).toEqual({ balance: 0, held: 1000 });
  });

  it(`splits one backlog between concurrent sweeps (${ExpirySweeper.name}) and releases each token once`, async () => {
    const owners = await Promise.all(Array.from({ length: 10 }, () => customer(10_000)));
    // 1,500 tokens inserted set-based, as creations would have left them (hold entries included).
    await f.sql.query(
      `
      WITH made AS (
        INSERT INTO exchange_tokens (token, user_id, points, expires_at)
        SELECT md5(random()::text || g), u.id, 10, now() - interval '1 second'
        FROM generate_series(1, 150) g, unnest($1::int[]) AS u(id)
        RETURNING token, user_id, points
      ), held AS (
        INSERT INTO ledger_entries (user_id, type, points, token_id) SELECT user_id, 'hold', points, token FROM made RETURNING user_id
      )
      UPDATE point_accounts a SET balance = balance - 1500, held = held + 1500 WHERE a.user_id = ANY($1::int[])`,
      [owners.map((o) => o.id)],
    );
    await f.expectConsistent();
    const reports = await Promise.all(
      replicas.flatMap((r) => [
        r.sweeper.sweep({ trigger: 'cron', batchSize: 100 }),
        r.sweeper.sweep({ trigger: 'cli', batchSize: 70 }),
      ]),
    );
    expect(reports.reduce((sum, r) => sum + r.tokens, 0)).toBe(1500);
    expect(reports.reduce((sum, r) => sum + r.points, 0)).toBe(15_000);
    expect(
      await f.count(`SELECT count(*) AS n FROM ledger_entries WHERE type = 'release' AND user_id = ANY($1::int[])`, [
        owners.map((o) => o.id),
      ]),
    ).toBe(1500);
    for (const owner of owners) {
      expect(await f.ledger.balances(owner.id)).toEqual({ balance: 10_000, held: 0 });
    }
  });

  it('resolves every token once when validations and sweeps pile onto the same expired tokens', async () => {
    const carol = await customer(5000);
    const made = await Promise.all(Array.from({ length: 30 }, () => f.tokens.create(carol.id, 50)));
    await f.expire(made.map((m) => m.token));
    const validations = made.map((m, i) => replicas[i % replicas.length].tokens.validate(vendor, m.token));
    const sweeps = replicas.map((r) => r.sweeper.sweep({ trigger: 'cron', batchSize: 5 }));
    const results = await Promise.allSettled([...validations, ...sweeps]);
    results
      .slice(0, made.length)
      .forEach((r) => expect(r).toMatchObject({ status: 'rejected', reason: expect.any(TokenExpiredError) }));
    expect(await f.ledger.balances(carol.id)).toEqual({ balance: 5000, held: 0 });
  });
});
