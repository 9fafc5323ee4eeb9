import { InsufficientPointsError, TokenAlreadyUsedError, TokenExpiredError } from '../src/ledger.errors';
import { DatabaseTarget, databaseTargets } from '@app/testing';
import fc from 'fast-check';
import { LedgerFixture, startLedger } from './ledger-fixture';

type Op =
  | { kind: 'grant'; user: number; points: number }
  | { kind: 'create'; user: number; points: number }
  | { kind: 'validate'; pick: number }
  | { kind: 'expire'; pick: number }
  | { kind: 'sweep' };

interface ModelToken {
  token: string;
  user: number;
  points: number;
  state: 'active' | 'expired' | 'used' | 'released';
}

const USERS = 3;
const STARTING_BALANCE = 300;
// Weighted towards creations and expiries so most runs hold, resolve and release several tokens.
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      user: fc.nat(USERS - 1),
      points: fc.integer({ min: 1, max: 200 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      user: fc.nat(USERS - 1),
      points: fc.integer({ min: 1, max: 150 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('validate' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('expire' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'sweep' as const }) },
);

/**
 * Random sequences of grant / create / validate / expire / sweep against a plain model of the
 * two-phase rules: balances always match the model, every token ends resolved at most once and
 * `ledger verify` stays clean.
 */
describe.each(databaseTargets())('the ledger under random operations on the %s database', (target: DatabaseTarget) => {
  let env: Awaited<ReturnType<typeof startLedger>>;
  let f: LedgerFixture;
  let vendor: number;
  let run = 0;

  beforeAll(async () => {
    env = await startLedger(target);
    f = env.main;
    vendor = await f.user('vendor', 'vendor');
  });
  afterAll(async () => env?.close());

  it('keeps balances equal to the model and the journal consistent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        run++;
        const names = Array.from({ length: USERS }, (_, i) => `prop${run}u${i}`);
        const ids = await Promise.all(names.map((name) => f.user(name)));
        await Promise.all(names.map((name) => f.ledger.grant(name, STARTING_BALANCE)));
        const balance = new Array<number>(USERS).fill(STARTING_BALANCE);
        const held = new Array<number>(USERS).fill(0);
        const tokens: ModelToken[] = [];
        const release = (t: ModelToken) => {
          balance[t.user] += t.points;
          held[t.user] -= t.points;
          t.state = 'released';
        };
        for (const step of ops) {
          switch (step.kind) {
            case 'grant':
              await f.ledger.grant(names[step.user], step.points);
              balance[step.user] += step.points;
              break;
            case 'create': {
              tokens.filter((t) => t.user === step.user && t.state === 'expired').forEach(release);
              const attempt = f.tokens.create(ids[step.user], step.points);
              if (balance[step.user] >= step.points) {
                const { token } = await attempt;
                tokens.push({ token, user: step.user, points: step.points, state: 'active' });
                balance[step.user] -= step.points;
                held[step.user] += step.points;
              } else {
                await expect(attempt).rejects.toBeInstanceOf(InsufficientPointsError);
              }
              break;
            }
            case 'validate': {
              const t = tokens[step.pick % Math.max(tokens.length, 1)];
              if (t === undefined) {
                break;
              }
              const attempt = f.tokens.validate(vendor, t.token);
              if (t.state === 'active') {
                await attempt;
                held[t.user] -= t.points;
                t.state = 'used';
              } else if (t.state === 'used') {
                await expect(attempt).rejects.toBeInstanceOf(TokenAlreadyUsedError);
              } else {
                await expect(attempt).rejects.toMatchObject({
                  code: 'token_expired',
                  extra: { pointsRestored: t.points },
                });
                await expect(attempt).rejects.toBeInstanceOf(TokenExpiredError);
                if (t.state === 'expired') {
                  release(t);
                }
              }
              break;
            }
            case 'expire': {
              const t = tokens[step.pick % Math.max(tokens.length, 1)];
              if (t?.state === 'active') {
                await f.expire([t.token]);
                t.state = 'expired';
              }
              break;
            }
            case 'sweep':
              await f.sweeper.sweep({ trigger: 'cron', batchSize: 2 });
              tokens.filter((t) => t.state === 'expired').forEach(release);
              break;
          }
        }
        for (let i = 0; i < USERS; i++) {
          expect(await f.ledger.balances(ids[i])).toEqual({ balance: balance[i], held: held[i] });
        }
        await f.expectConsistent();
      }),
      { numRuns: 40, interruptAfterTimeLimit: 40_000 },
    );
  }, 90_000);
});
