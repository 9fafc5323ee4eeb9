import { DatabaseTarget, databaseTargets } from '@app/testing';
import { InsufficientPointsError, TokenAlreadyUsedError } from '../src/ledger.errors';
import { LedgerFixture, startLedger } from './ledger-fixture';

interface EventRow {
  aggregate_type: string;
  aggregate_id: string;
  type: string;
  subject: string;
  payload: Record<string, unknown>;
}

describe.each(databaseTargets())('the ledger’s domain events on the %s database', (target: DatabaseTarget) => {
  let env: Awaited<ReturnType<typeof startLedger>>;
  let f: LedgerFixture;
  let vendor: number;
  let n = 0;

  beforeAll(async () => {
    env = await startLedger(target);
    f = env.main;
    vendor = await f.user('vendor', 'vendor');
  });
  afterAll(async () => env?.close());

  async function customer(points: number): Promise<{ id: number; name: string }> {
    const name = `events${++n}`;
    const id = await f.user(name);
    if (points > 0) {
      await f.ledger.grant(name, points, 'welcome');
    }
    return { id, name };
  }

  /** The user's events, oldest first. */
  function eventsOf(userId: number): Promise<EventRow[]> {
    return f.sql.query<EventRow[]>(
      `SELECT aggregate_type, aggregate_id, type, subject, payload FROM outbox_events
       WHERE (payload->>'userId')::int = $1 ORDER BY seq`,
      [userId],
    );
  }

  async function tokenSeq(token: string): Promise<number> {
    const rows = await f.sql.query<{ seq: string }[]>('SELECT seq FROM exchange_tokens WHERE token = $1', [token]);
    return Number(rows[0].seq);
  }

  it('writes ledger.points.granted with the new balance in the grant’s transaction', async () => {
    const { id } = await customer(250);
    expect(await eventsOf(id)).toEqual([
      {
        aggregate_type: 'user',
        aggregate_id: String(id),
        type: 'ledger.points.granted',
        subject: `users/${id}`,
        payload: { userId: id, points: 250, balance: 250, reason: 'welcome' },
      },
    ]);
  });

  it('writes ledger.token.created and ledger.token.redeemed, naming the token by its number, never its string', async () => {
    const { id } = await customer(500);
    const created = await f.tokens.create(id, 100);
    const seq = await tokenSeq(created.token);
    const request = await f.tokens.validate(vendor, created.token);
    const events = (await eventsOf(id)).slice(1);
    expect(events).toEqual([
      {
        aggregate_type: 'exchange_token',
        aggregate_id: String(seq),
        type: 'ledger.token.created',
        subject: `tokens/${seq}`,
        payload: { tokenId: seq, userId: id, points: 100, expiresAt: created.expiresAt },
      },
      {
        aggregate_type: 'exchange_token',
        aggregate_id: String(seq),
        type: 'ledger.token.redeemed',
        subject: `tokens/${seq}`,
        payload: { tokenId: seq, userId: id, vendorId: vendor, points: 100, requestId: request.id },
      },
    ]);
    const all = await f.sql.query<{ text: string }[]>(`SELECT payload::text || subject AS text FROM outbox_events`);
    expect(all.some((row) => row.text.includes(created.token))).toBe(false);
  });

  it('writes no event for a refused creation or a second validation', async () => {
    const { id } = await customer(50);
    await expect(f.tokens.create(id, 100)).rejects.toBeInstanceOf(InsufficientPointsError);
    const { token } = await f.tokens.create(id, 50);
    await f.tokens.validate(vendor, token);
    const before = await f.count('SELECT count(*) AS n FROM outbox_events');
    await expect(f.tokens.validate(vendor, token)).rejects.toBeInstanceOf(TokenAlreadyUsedError);
    expect(await f.count('SELECT count(*) AS n FROM outbox_events')).toBe(before);
    expect((await eventsOf(id)).map((event) => event.type)).toEqual([
      'ledger.points.granted',
      'ledger.token.created',
      'ledger.token.redeemed',
    ]);
  });

  it('writes ledger.token.expired with the points restored and the trigger, once, whichever path releases', async () => {
    const { id } = await customer(300);
    const bySweep = await f.tokens.create(id, 10);
    const byValidation = await f.tokens.create(id, 20);
    await f.expire([bySweep.token]);
    const sweepSeq = await tokenSeq(bySweep.token);
    await f.sweeper.sweep({ trigger: 'cli' });
    await f.sweeper.sweep({ trigger: 'cron' }); // nothing left: no second event
    const validationSeq = await tokenSeq(byValidation.token);
    await f.expire([byValidation.token]);
    await expect(f.tokens.validate(vendor, byValidation.token)).rejects.toMatchObject({ code: 'token_expired' });
    const byCreation = await f.tokens.create(id, 30);
    const creationSeq = await tokenSeq(byCreation.token);
    await f.expire([byCreation.token]);
    await f.tokens.create(id, 5);
    const expired = (await eventsOf(id)).filter((event) => event.type === 'ledger.token.expired');
    expect(expired.map((event) => event.payload)).toEqual([
      { tokenId: sweepSeq, userId: id, pointsRestored: 10, trigger: 'cli' },
      { tokenId: validationSeq, userId: id, pointsRestored: 20, trigger: 'validate' },
      { tokenId: creationSeq, userId: id, pointsRestored: 30, trigger: 'create' },
    ]);
    expect(expired.map((event) => event.subject)).toEqual([
      `tokens/${sweepSeq}`,
      `tokens/${validationSeq}`,
      `tokens/${creationSeq}`,
    ]);
  });

  it('writes no event when the sweep’s transaction rolls back', async () => {
    const { id } = await customer(40);
    const { token } = await f.tokens.create(id, 40);
    await f.expire([token]);
    // The release refuses to go on when a held token's owner has no account: the batch rolls back whole.
    await f.sql.query('DELETE FROM point_accounts WHERE user_id = $1', [id]);
    await expect(f.sweeper.sweep({ trigger: 'cron' })).rejects.toThrow(/credited/);
    expect((await eventsOf(id)).map((event) => event.type)).toEqual(['ledger.points.granted', 'ledger.token.created']);
    await f.sql.query('DELETE FROM exchange_tokens WHERE token = $1', [token]); // leave the books clean
  });
});
