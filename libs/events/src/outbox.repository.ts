import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { OutboxRow } from './cloud-event';
import { NewDomainEvent } from './domain-events';

/** The columns and VALUES of an outbox insert, for the set-based statements that write their own. */
export const OUTBOX_COLUMNS = 'outbox_events (aggregate_type, aggregate_id, type, subject, payload)';

export interface OutboxBacklog {
  unsent: number;
  /** Seconds since the oldest unsent event occurred (0 when none). */
  oldestAgeSeconds: number;
}

/** SQL on `outbox_events`: appends (in the caller's transaction), the relay's reads and marks, the purge. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends events in the caller's transaction: they exist exactly when the change commits. */
  async append(manager: EntityManager, events: NewDomainEvent[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    const values = events.map((_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`);
    await manager.query(
      `INSERT INTO ${OUTBOX_COLUMNS} VALUES ${values.join(', ')}`,
      events.flatMap((event) => [
        event.aggregateType,
        event.aggregateId,
        event.type,
        event.subject,
        JSON.stringify(event.data),
      ]),
    );
  }

  /** The oldest unsent events, in `seq` order. */
  unsent(limit: number): Promise<OutboxRow[]> {
    return this.dataSource.query<OutboxRow[]>(
      `SELECT id, seq, type, subject, payload, occurred_at FROM outbox_events
       WHERE sent_at IS NULL ORDER BY seq LIMIT $1`,
      [limit],
    );
  }

  /**
   * Marks the relayed rows sent, found by `seq` through the small index of unsent rows (the `id`
   * index spans the whole retention, in random order). Only rows not yet marked: a republished
   * batch changes nothing, so statement triggers on the table (the webhooks' fan-out) see each
   * row sent once.
   */
  async markSent(seqs: string[]): Promise<void> {
    await this.dataSource.query(
      'UPDATE outbox_events SET sent_at = now() WHERE seq = ANY($1::bigint[]) AND sent_at IS NULL',
      [seqs],
    );
  }

  /** Deletes sent events older than `retentionMs`; returns how many. */
  async purgeSent(retentionMs: number): Promise<number> {
    const rows = await this.dataSource.query<{ count: string }[]>(
      `WITH purged AS (
         DELETE FROM outbox_events WHERE sent_at IS NOT NULL AND sent_at < now() - $1::bigint * interval '1 millisecond'
         RETURNING 1
       ) SELECT count(*) AS count FROM purged`,
      [retentionMs],
    );
    return Number(rows[0].count);
  }

  async backlog(): Promise<OutboxBacklog> {
    const rows = await this.dataSource.query<{ unsent: string; age: string | null }[]>(
      `SELECT count(*) AS unsent, extract(epoch FROM now() - min(occurred_at)) AS age
       FROM outbox_events WHERE sent_at IS NULL`,
    );
    return { unsent: Number(rows[0].unsent), oldestAgeSeconds: Math.max(0, Number(rows[0].age ?? 0)) };
  }
}
