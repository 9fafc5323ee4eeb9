import { setTimeout as sleep } from 'node:timers/promises';
import { AuthModule } from '@app/auth';
import { DatabaseNotifications } from '@app/database';
import { MessagingModule } from '@app/messaging';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WhatsappLiveEventsService } from '../src/numbers/whatsapp-live-events.service';
import { WhatsappNumbersModule } from '../src/numbers/whatsapp-numbers.module';
import { WhatsappNumbersService } from '../src/numbers/whatsapp-numbers.service';
import { WorkerEvent } from '../src/whatsapp-messages';

/** Far past NOTIFY's 8000-byte payload: only the event's id may travel. */
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

describe.each(databaseTargets())('live WhatsApp events on the %s database', (target: DatabaseTarget) => {
  let database: TestDatabase;
  const apps: INestApplicationContext[] = [];
  let dataSource: DataSource;
  let numbers: WhatsappNumbersService[];
  let lives: WhatsappLiveEventsService[];
  let clock = Date.now();

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
    // On a server, separate contexts are separate pools and LISTEN connections, as API processes have.
    const count = target === 'postgres' ? 3 : 1;
    for (let i = 0; i < count; i++) {
      apps.push(
        await createDatabaseTestApp({
          env: database.env,
          // AuthModule: the number entity's foreign key needs the users' metadata.
          imports: [MessagingModule.forRoot(), AuthModule, WhatsappNumbersModule],
          migrate: i === 0,
        }),
      );
    }
    dataSource = apps[0].get(DataSource);
    numbers = apps.map((app) => app.get(WhatsappNumbersService));
    lives = apps.map((app) => app.get(WhatsappLiveEventsService));
    await Promise.all(numbers.map((service) => service.listenForLiveEvents()));
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await database?.cleanup();
  });

  it('streams every applied event to every process once and in order, whichever process applied it', async () => {
    const id = await newNumber('+221770000001');
    const other = await newNumber('+221770000002');
    const streams = lives.map((live) => record(live, id));
    const applied = [
      event(id, { action: 'qr_generated', qrCode: BIG_QR }),
      event(id, { action: 'qr_regenerating', attempt: 1, maxAttempts: 3, message: 'QR code expired' }),
      event(id, { action: 'qr_generated', qrCode: `${BIG_QR}B` }),
      event(id, { action: 'error', error: 'x'.repeat(10_000) }),
    ];
    const stale = event(id, { action: 'connected' });
    stale.timestamp = applied[0].timestamp; // older than the newest applied: ignored, never streamed
    for (const [index, worker] of applied.entries()) {
      await numbers[index % numbers.length].applyEvent(worker);
      await numbers[(index + 1) % numbers.length].applyEvent(worker); // a redelivery: ignored
    }
    await numbers[0].applyEvent(stale);
    await numbers[0].applyEvent(event(other, { action: 'connected' })); // another number's stream only

    await waitFor(() => streams.every((stream) => stream.events.length >= applied.length));
    await sleep(200); // nothing more arrives
    for (const stream of streams) {
      expect(stream.events).toEqual(applied);
      expect(stream.ended).toBe(false);
    }
  });

  it('streams concurrent events of one number in the order they were applied', async () => {
    const id = await newNumber('+221770000003');
    const streams = lives.map((live) => record(live, id));
    const burst = Array.from({ length: 20 }, (_, i) =>
      event(id, { action: 'qr_regenerating', attempt: i + 1, maxAttempts: 20, message: `attempt ${i + 1}` }),
    );
    // Out of order and concurrently, from every process: only the newer ones apply.
    await Promise.all([...burst].reverse().map((worker, i) => numbers[i % numbers.length].applyEvent(worker)));
    const rows = await dataSource.query<{ event: WorkerEvent }[]>(
      'SELECT event FROM whatsapp_number_events WHERE number_id = $1 ORDER BY id',
      [id],
    );
    await waitFor(() => streams.every((stream) => stream.events.length >= rows.length));
    await sleep(200);
    for (const stream of streams) {
      expect(stream.events).toEqual(rows.map((row) => row.event));
    }
    expect(rows.at(-1)?.event).toEqual(burst.at(-1));
  });

  it('purges the kept events older than the given age', async () => {
    const id = await newNumber('+221770000004');
    await numbers[0].applyEvent(event(id, { action: 'connected' }));
    await dataSource.query(`UPDATE whatsapp_number_events SET created_at = now() - interval '11 minutes'`);
    await numbers[0].applyEvent(event(id, { action: 'error', error: 'fresh' }));
    expect(await numbers[0].purgeAppliedEvents(10 * 60_000)).toBeGreaterThan(0);
    const left = await dataSource.query<{ event: WorkerEvent }[]>('SELECT event FROM whatsapp_number_events');
    expect(left.map((row) => row.event.action)).toEqual(['error']);
  });

  (target === 'postgres' ? it : it.skip)(
    'ends the streams of a process whose LISTEN connection drops, and streams again once it is back',
    async () => {
      const id = await newNumber('+221770000005');
      const before = lives.map((live) => record(live, id));
      await dataSource.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'hourglass-listen' AND datname = current_database()`,
      );
      await waitFor(() => before.every((stream) => stream.ended));
      const notifications = apps.map((app) => app.get(DatabaseNotifications));
      await waitFor(() => notifications.every((each) => each.isLive()));
      const after = lives.map((live) => record(live, id));
      const connected = event(id, { action: 'connected' });
      await numbers[1].applyEvent(connected);
      await waitFor(() => after.every((stream) => stream.events.length === 1));
      after.forEach((stream) => expect(stream.events).toEqual([connected]));
    },
  );
});
