import { setTimeout as sleep } from 'node:timers/promises';
import { AuthModule, AuthenticatedUser } from '@app/auth';
import { LocalEventStream, OutboxRelay } from '@app/events';
import { MessagingModule } from '@app/messaging';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WhatsappLiveEventsService } from '../src/numbers/whatsapp-live-events.service';
import { WhatsappNumbersModule } from '../src/numbers/whatsapp-numbers.module';
import { NumberStreamItem, WhatsappNumbersService } from '../src/numbers/whatsapp-numbers.service';
import { WorkerEvent } from '../src/whatsapp-messages';

/** A QR data URL as big as a real one can get: it is read back from the database, never carried by the event. */
const BIG_QR = `data:image/png;base64,${'A'.repeat(20_000)}`;

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error('timed out');
    }
    await sleep(10);
  }
}

/** What a stream received, and whether it has ended. */
function record(live: WhatsappLiveEventsService, numberId: number) {
  const seen = { events: [] as WorkerEvent[], ended: false };
  live.of(numberId).subscribe({ next: (event) => seen.events.push(event), complete: () => (seen.ended = true) });
  return seen;
}

// Cross-process delivery (each API process's own queue on hourglass.events) is covered by
// test/live-events.e2e-spec.ts and test/cluster.e2e-spec.ts; here the relay hands events to this
// process's LocalEventStream, as it does without AMQP_URL.
describe.each(databaseTargets())('live WhatsApp events on the %s database', (target: DatabaseTarget) => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let dataSource: DataSource;
  let numbers: WhatsappNumbersService;
  let live: WhatsappLiveEventsService;
  let relay: OutboxRelay;
  let clock = Date.now();
  const admin: AuthenticatedUser = { id: 0, username: 'admin', role: 'admin' };

  const event = (numberId: number, fields: Partial<WorkerEvent> & Pick<WorkerEvent, 'action'>): WorkerEvent =>
    ({
      numberId,
      sessionId: `session_${numberId}`,
      workerId: 'worker-1',
      timestamp: ++clock,
      ...fields,
    }) as WorkerEvent;

  async function newNumber(phone: string): Promise<number> {
    const [user] = await dataSource.query<{ id: number }[]>(
      `INSERT INTO users (username, password_hash) VALUES ($1, 'x') RETURNING id`,
      [`owner-${phone}`],
    );
    const [row] = await dataSource.query<{ id: number }[]>(
      `INSERT INTO whatsapp_numbers (phone_number, user_id, max_attempts) VALUES ($1, $2, 3) RETURNING id`,
      [phone, user.id],
    );
    return row.id;
  }

  beforeAll(async () => {
    database = await createTestDatabase(target);
    app = await createDatabaseTestApp({
      env: database.env,
      // AuthModule: the number entity's foreign key needs the users' metadata.
      imports: [MessagingModule.forRoot(), AuthModule, WhatsappNumbersModule],
    });
    dataSource = app.get(DataSource);
    numbers = app.get(WhatsappNumbersService);
    live = app.get(WhatsappLiveEventsService);
    relay = app.get(OutboxRelay);
  });

  afterAll(async () => {
    await app?.close();
    await database?.cleanup();
  });

  it('streams every applied event once and in order, read back whole, and nothing ignored', async () => {
    const id = await newNumber('+221770000001');
    const other = await newNumber('+221770000002');
    const streams = [record(live, id), record(live, id)];
    const applied = [
      event(id, { action: 'qr_generated', qrCode: BIG_QR }),
      event(id, { action: 'qr_regenerating', attempt: 1, maxAttempts: 3, message: 'QR code expired' }),
      event(id, { action: 'qr_generated', qrCode: `${BIG_QR}B` }),
      event(id, { action: 'error', error: 'x'.repeat(10_000) }),
    ];
    const stale = event(id, { action: 'connected' });
    stale.timestamp = applied[0].timestamp; // older than the newest applied: ignored, never streamed
    for (const worker of applied) {
      await numbers.applyEvent(worker);
      await numbers.applyEvent(worker); // a redelivery: ignored
    }
    await numbers.applyEvent(stale);
    await numbers.applyEvent(event(other, { action: 'connected' })); // another number's stream only
    await relay.relay();

    await waitFor(() => streams.every((stream) => stream.events.length >= applied.length));
    await sleep(200); // nothing more arrives
    for (const stream of streams) {
      expect(stream.events).toEqual(applied);
      expect(stream.ended).toBe(false);
    }
  });

  it('writes one validation event per applied worker event, without the QR', async () => {
    const id = await newNumber('+221770000006');
    await numbers.applyEvent(event(id, { action: 'qr_generated', qrCode: BIG_QR }));
    await numbers.applyEvent(event(id, { action: 'qr_regenerating', attempt: 2, maxAttempts: 3, message: 'expired' }));
    const rows = await dataSource.query<{ type: string; subject: string; payload: Record<string, unknown> }[]>(
      `SELECT type, subject, payload FROM outbox_events WHERE aggregate_id = $1 AND type = 'whatsapp.number.validation_event' ORDER BY seq`,
      [String(id)],
    );
    const kept = await dataSource.query<{ id: string }[]>(
      'SELECT id::text AS id FROM whatsapp_number_events WHERE number_id = $1 ORDER BY id',
      [id],
    );
    expect(rows.map((row) => row.subject)).toEqual([`whatsapp-numbers/${id}`, `whatsapp-numbers/${id}`]);
    expect(rows.map((row) => row.payload)).toEqual([
      expect.objectContaining({
        numberId: id,
        action: 'qr_generated',
        attempt: 0,
        maxAttempts: 3,
        workerId: 'worker-1',
        workerEventId: kept[0].id,
      }),
      expect.objectContaining({
        numberId: id,
        action: 'qr_regenerating',
        attempt: 2,
        maxAttempts: 3,
        workerEventId: kept[1].id,
      }),
    ]);
    expect(JSON.stringify(rows)).not.toContain('data:image/png');
  });

  it('streams concurrent events of one number in the order they were applied', async () => {
    const id = await newNumber('+221770000003');
    const stream = record(live, id);
    const burst = Array.from({ length: 20 }, (_, i) =>
      event(id, { action: 'qr_regenerating', attempt: i + 1, maxAttempts: 20, message: `attempt ${i + 1}` }),
    );
    // Out of order and concurrently: only the newer ones apply.
    await Promise.all([...burst].reverse().map((worker) => numbers.applyEvent(worker)));
    await relay.relay();
    const rows = await dataSource.query<{ event: WorkerEvent }[]>(
      'SELECT event FROM whatsapp_number_events WHERE number_id = $1 ORDER BY id',
      [id],
    );
    await waitFor(() => stream.events.length >= rows.length);
    await sleep(200);
    expect(stream.events).toEqual(rows.map((row) => row.event));
    expect(rows.at(-1)?.event).toEqual(burst.at(-1));
  });

  it('sends the current state first, then what was applied after the stream opened', async () => {
    const id = await newNumber('+221770000007');
    await numbers.applyEvent(event(id, { action: 'qr_generated', qrCode: BIG_QR }));
    await relay.relay();
    const items: NumberStreamItem[] = [];
    (await numbers.follow(admin, id)).subscribe((item) => items.push(item));
    const connected = event(id, { action: 'connected' });
    await numbers.applyEvent(connected); // before the relay publishes it, and maybe before the state is read
    await relay.relay();
    await waitFor(() => items.some((item) => item.kind === 'event'));
    expect(items[0]).toEqual({ kind: 'status', status: expect.objectContaining({ id }) });
    expect(items.slice(1)).toEqual([{ kind: 'event', event: connected }]);
  });

  it('ends the streams when events may have been missed, and streams again on a new one', async () => {
    const id = await newNumber('+221770000005');
    const before = record(live, id);
    app.get(LocalEventStream).gap(); // what the follower reports when it loses its queue
    expect(before.ended).toBe(true);
    const after = record(live, id);
    const connected = event(id, { action: 'connected' });
    await numbers.applyEvent(connected);
    await relay.relay();
    await waitFor(() => after.events.length === 1);
    expect(after.events).toEqual([connected]);
  });

  it('ends a stream whose event was purged before it could be read', async () => {
    const id = await newNumber('+221770000008');
    const stream = record(live, id);
    await numbers.applyEvent(event(id, { action: 'connected' }));
    await dataSource.query('DELETE FROM whatsapp_number_events WHERE number_id = $1', [id]);
    await relay.relay();
    await waitFor(() => stream.ended);
    expect(stream.events).toEqual([]);
  });

  it('purges the kept events older than the given age', async () => {
    const id = await newNumber('+221770000004');
    await numbers.applyEvent(event(id, { action: 'connected' }));
    await dataSource.query(`UPDATE whatsapp_number_events SET created_at = now() - interval '11 minutes'`);
    await numbers.applyEvent(event(id, { action: 'error', error: 'fresh' }));
    expect(await numbers.purgeAppliedEvents(10 * 60_000)).toBeGreaterThan(0);
    const left = await dataSource.query<{ event: WorkerEvent }[]>('SELECT event FROM whatsapp_number_events');
    expect(left.map((row) => row.event.action)).toEqual(['error']);
  });
});
