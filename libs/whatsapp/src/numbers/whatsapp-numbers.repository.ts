import { OUTBOX_COLUMNS } from '@app/events';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { WorkerEvent } from '../whatsapp-messages';
import { WhatsappNumberEntity } from './whatsapp-number.entity';

/** The only place with SQL on `whatsapp_numbers` and `whatsapp_number_events`. */
@Injectable()
export class WhatsappNumbersRepository {
  constructor(@InjectRepository(WhatsappNumberEntity) private readonly numbers: Repository<WhatsappNumberEntity>) {}

  findById(id: number): Promise<WhatsappNumberEntity | null> {
    return this.numbers.findOneBy({ id });
  }

  /** Up to `limit` numbers of `ownerId` (of everyone when undefined) with an id below `beforeId`, newest first. */
  page(ownerId: number | undefined, limit: number, beforeId: number | undefined): Promise<WhatsappNumberEntity[]> {
    return this.numbers.find({
      where: {
        ...(ownerId === undefined ? {} : { userId: ownerId }),
        ...(beforeId === undefined ? {} : { id: LessThan(beforeId) }),
      },
      order: { id: 'DESC' },
      take: limit,
    });
  }

  /** Inserts the number; `undefined` when the phone number is taken (also under a concurrent insert). */
  async insert(phoneNumber: string, userId: number, maxAttempts: number): Promise<WhatsappNumberEntity | undefined> {
    const rows = await this.numbers.query<{ id: number }[]>(
      `INSERT INTO whatsapp_numbers (phone_number, user_id, max_attempts) VALUES ($1, $2, $3)
       ON CONFLICT (phone_number) DO NOTHING RETURNING id`,
      [phoneNumber, userId, maxAttempts],
    );
    return rows.length === 0 ? undefined : ((await this.findById(rows[0].id)) ?? undefined);
  }

  /** A validation was requested: back to `pending`, no QR, counter at 0. */
  async markValidationRequested(id: number): Promise<void> {
    await this.numbers.query(
      statusResetWithEvent(`status = 'pending', qr_code = NULL, attempt = 0, last_error = NULL,
         validation_requested_at = now()`),
      [id],
    );
  }

  /** A manual regeneration was requested: the counter restarts at 0; a connected number stays connected. */
  async markRegenerationRequested(id: number): Promise<void> {
    await this.numbers.query(
      statusResetWithEvent(`attempt = 0, last_error = NULL,
         status = CASE WHEN w.status = 'connected' THEN w.status ELSE 'pending' END,
         qr_code = CASE WHEN w.status = 'connected' THEN w.qr_code ELSE NULL END`),
      [id],
    );
  }

  /**
   * Applies a worker event unless a newer one was applied already (`last_event_at`): redelivered
   * and out-of-order events never roll the state back. When the row changed, the same statement
   * keeps the event in `whatsapp_number_events` (with its QR, which no domain event carries) and
   * writes `whatsapp.number.validation_event` naming it into the outbox, plus
   * `whatsapp.number.status_changed` (from, to) when the status changed; returns the kept id,
   * else `undefined`.
   */
  async applyEvent(event: WorkerEvent): Promise<string | undefined> {
    const changes = eventChanges(event);
    // CTEs, so the driver answers rows (a bare UPDATE … RETURNING comes back as [rows, count]).
    const rows = await this.numbers.query<{ id: string }[]>(
      `WITH previous AS MATERIALIZED (
         SELECT id, status FROM whatsapp_numbers WHERE id = $1 FOR UPDATE
       ), applied AS (
         UPDATE whatsapp_numbers w SET ${changes.sql}, worker_id = $3, session_id = $4, last_event_at = $2, updated_at = now()
         FROM previous p WHERE w.id = p.id AND w.last_event_at < $2
         RETURNING w.id, w.user_id, p.status AS before, w.status AS after, w.attempt, w.max_attempts
       ), status_changed AS (
         ${statusChangedInsert('applied')}
       ), kept AS (
         INSERT INTO whatsapp_number_events (number_id, event) SELECT id, $5::json FROM applied RETURNING id
       ), announced AS (
         INSERT INTO ${OUTBOX_COLUMNS}
         SELECT 'whatsapp_number', a.id::text, 'whatsapp.number.validation_event', 'whatsapp-numbers/' || a.id,
                jsonb_build_object('numberId', a.id, 'userId', a.user_id, 'action', $6::text, 'attempt', a.attempt,
                  'maxAttempts', a.max_attempts, 'workerId', $3::text, 'workerEventId', k.id::text)
         FROM applied a CROSS JOIN kept k
       ) SELECT id::text AS id FROM kept`,
      [
        event.numberId,
        event.timestamp,
        event.workerId,
        event.sessionId,
        JSON.stringify(event),
        event.action,
        ...changes.params,
      ],
    );
    return rows[0]?.id;
  }

  /** An applied event kept by `applyEvent`, as the worker sent it; `undefined` once purged. */
  async findEvent(id: string): Promise<WorkerEvent | undefined> {
    const rows = await this.numbers.query<{ event: WorkerEvent }[]>(
      'SELECT event FROM whatsapp_number_events WHERE id = $1',
      [id],
    );
    return rows[0]?.event;
  }

  /** Deletes the kept events older than `ageMs` (database time); returns how many. */
  async purgeEvents(ageMs: number): Promise<number> {
    const rows = await this.numbers.query<{ purged: number }[]>(
      `WITH purged AS (
         DELETE FROM whatsapp_number_events WHERE created_at < now() - make_interval(secs => $1::double precision / 1000)
         RETURNING 1
       ) SELECT count(*)::integer AS purged FROM purged`,
      [ageMs],
    );
    return rows[0].purged;
  }
}

/**
 * An API-side reset of number $1 (`set`) that also writes `whatsapp.number.status_changed` into
 * the outbox in the same statement when the status changed: `previous` locks the row and reads the
 * status this update replaces.
 */
function statusResetWithEvent(set: string): string {
  return `WITH previous AS MATERIALIZED (
    SELECT id, status FROM whatsapp_numbers WHERE id = $1 FOR UPDATE
  ), reset AS (
    UPDATE whatsapp_numbers w SET ${set}, updated_at = now() FROM previous p
    WHERE w.id = p.id RETURNING w.id, w.user_id, p.status AS before, w.status AS after
  ), status_changed AS (
    ${statusChangedInsert('reset')}
  ) SELECT id FROM reset`;
}

/** The INSERT of `whatsapp.number.status_changed` for each row of `rows` (id, user_id, before, after) whose status changed. */
function statusChangedInsert(rows: string): string {
  return `INSERT INTO ${OUTBOX_COLUMNS}
    SELECT 'whatsapp_number', id::text, 'whatsapp.number.status_changed', 'whatsapp-numbers/' || id,
           jsonb_build_object('numberId', id, 'userId', user_id, 'from', before, 'to', after)
    FROM ${rows} WHERE before <> after`;
}

/** The columns an event sets, as SQL with parameters from $7 on. */
function eventChanges(event: WorkerEvent): { sql: string; params: unknown[] } {
  switch (event.action) {
    case 'qr_generated':
      return { sql: `status = 'qr_ready', qr_code = $7, last_error = NULL`, params: [event.qrCode] };
    case 'qr_regenerating':
      return {
        sql: `status = 'regenerating', qr_code = NULL, attempt = $7, max_attempts = $8`,
        params: [event.attempt, event.maxAttempts],
      };
    case 'connected':
      return { sql: `status = 'connected', qr_code = NULL, attempt = 0, last_error = NULL`, params: [] };
    case 'error':
      return { sql: `status = 'failed', qr_code = NULL, last_error = $7`, params: [event.error] };
  }
}
