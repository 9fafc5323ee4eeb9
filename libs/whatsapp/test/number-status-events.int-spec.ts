import { AuthModule } from '@app/auth';
import { MessagingModule } from '@app/messaging';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WhatsappNumberEntity } from '../src/numbers/whatsapp-number.entity';
import { WhatsappNumbersModule } from '../src/numbers/whatsapp-numbers.module';
import { WhatsappNumbersRepository } from '../src/numbers/whatsapp-numbers.repository';
import { WhatsappNumbersService } from '../src/numbers/whatsapp-numbers.service';
import { WorkerEvent } from '../src/whatsapp-messages';

describe.each(databaseTargets())('whatsapp.number.status_changed on the %s database', (target: DatabaseTarget) => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let sql: DataSource;
  let numbers: WhatsappNumbersService;
  let repository: WhatsappNumbersRepository;
  let clock = Date.now();

  const event = (numberId: number, fields: Partial<WorkerEvent> & Pick<WorkerEvent, 'action'>): WorkerEvent =>
    ({
      numberId,
      sessionId: `session_${numberId}`,
      workerId: 'worker-1',
      timestamp: ++clock,
      ...fields,
    }) as WorkerEvent;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    app = await createDatabaseTestApp({
      env: database.env,
      imports: [MessagingModule.forRoot(), AuthModule, WhatsappNumbersModule],
    });
    sql = app.get(DataSource);
    numbers = app.get(WhatsappNumbersService);
    repository = app.get(WhatsappNumbersRepository);
  });

  afterAll(async () => {
    await app?.close();
    await database?.cleanup();
  });

  async function newNumber(phone: string): Promise<{ id: number; userId: number }> {
    const [user] = await sql.query<{ id: number }[]>(
      `INSERT INTO users (username, password_hash) VALUES ($1, 'x') RETURNING id`,
      [`owner-${phone}`],
    );
    const [row] = await sql.query<{ id: number }[]>(
      `INSERT INTO whatsapp_numbers (phone_number, user_id, max_attempts) VALUES ($1, $2, 3) RETURNING id`,
      [phone, user.id],
    );
    return { id: row.id, userId: user.id };
  }

  async function changes(numberId: number): Promise<unknown[]> {
    const rows = await sql.query<{ subject: string; payload: unknown }[]>(
      `SELECT subject, payload FROM outbox_events WHERE type = 'whatsapp.number.status_changed' AND aggregate_id = $1 ORDER BY seq`,
      [String(numberId)],
    );
    return rows.map((row) => ({ subject: row.subject, ...(row.payload as object) }));
  }

  it('writes one event per change of status (connected included), none for a repeat or a stale event', async () => {
    const { id, userId } = await newNumber('+221770000101');
    await numbers.applyEvent(event(id, { action: 'qr_generated', qrCode: 'data:image/png;base64,AA' }));
    await numbers.applyEvent(event(id, { action: 'qr_generated', qrCode: 'data:image/png;base64,BB' })); // same status
    const stale = event(id, { action: 'error', error: 'late' });
    stale.timestamp = 1; // older than what was applied: refused, no event
    await numbers.applyEvent(stale);
    await numbers.applyEvent(event(id, { action: 'connected' }));
    expect(await changes(id)).toEqual([
      { subject: `whatsapp-numbers/${id}`, numberId: id, userId, from: 'pending', to: 'qr_ready' },
      { subject: `whatsapp-numbers/${id}`, numberId: id, userId, from: 'qr_ready', to: 'connected' },
    ]);
  });

  it('writes failed after the QR codes ran out', async () => {
    const { id } = await newNumber('+221770000102');
    await numbers.applyEvent(event(id, { action: 'qr_generated', qrCode: 'data:image/png;base64,AA' }));
    await numbers.applyEvent(
      event(id, { action: 'qr_regenerating', attempt: 1, maxAttempts: 3, message: 'QR code expired' }),
    );
    await numbers.applyEvent(event(id, { action: 'error', error: 'no scan after 3 QR codes' }));
    expect((await changes(id)).map((change) => (change as { to: string }).to)).toEqual([
      'qr_ready',
      'regenerating',
      'failed',
    ]);
  });

  it("writes the API's own resets to pending (validate, regenerate), none when the status stays", async () => {
    const { id, userId } = await newNumber('+221770000103');
    await repository.markValidationRequested(id); // pending → pending: nothing
    await numbers.applyEvent(event(id, { action: 'qr_generated', qrCode: 'data:image/png;base64,AA' }));
    await repository.markRegenerationRequested(id); // qr_ready → pending
    await numbers.applyEvent(event(id, { action: 'connected' }));
    await repository.markRegenerationRequested(id); // a connected number stays connected: nothing
    await repository.markValidationRequested(id); // connected → pending
    const from = (before: string, to: string) => ({
      subject: `whatsapp-numbers/${id}`,
      numberId: id,
      userId,
      from: before,
      to,
    });
    expect(await changes(id)).toEqual([
      from('pending', 'qr_ready'),
      from('qr_ready', 'pending'),
      from('pending', 'connected'),
      from('connected', 'pending'),
    ]);
  });

  it('writes no event for a reset rolled back with its transaction', async () => {
    const { id } = await newNumber('+221770000104');
    await numbers.applyEvent(event(id, { action: 'qr_generated', qrCode: 'data:image/png;base64,AA' }));
    const runner = sql.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // The repository's statement, on this transaction's connection.
      const reset = new WhatsappNumbersRepository(runner.manager.getRepository(WhatsappNumberEntity));
      await reset.markValidationRequested(id);
      await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
    expect((await changes(id)).map((change) => (change as { to: string }).to)).toEqual(['qr_ready']);
    const [{ status }] = await sql.query<{ status: string }[]>('SELECT status FROM whatsapp_numbers WHERE id = $1', [
      id,
    ]);
    expect(status).toBe('qr_ready');
  });
});
