import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox (issue 15): every state change others must hear about inserts its
 * domain event here in the transaction (often the one statement) that makes the change, so an
 * event exists exactly when its change committed. The relay (`OutboxRelay` in libs/events)
 * publishes unsent rows in `seq` order and stamps `sent_at` after the broker's confirm; the purge
 * job deletes sent rows older than EVENTS_RETENTION. `id` is the CloudEvents id consumers
 * deduplicate on. A statement-level trigger NOTIFYs `outbox_events` at commit, so a relay on a
 * server wakes at once instead of waiting for its next poll.
 */
export class CreateOutboxEvents1764500000000 implements MigrationInterface {
  name = 'CreateOutboxEvents1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        type text NOT NULL,
        subject text NOT NULL,
        payload jsonb NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    // The relay's scan (and the backlog gauges): unsent rows only, oldest first.
    await queryRunner.query('CREATE INDEX outbox_events_unsent_idx ON outbox_events (seq) WHERE sent_at IS NULL');
    // The purge's scan: sent rows by age.
    await queryRunner.query('CREATE INDEX outbox_events_sent_idx ON outbox_events (sent_at) WHERE sent_at IS NOT NULL');
    await queryRunner.query(`
      CREATE FUNCTION outbox_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_events', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_events_notify()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE outbox_events');
    await queryRunner.query('DROP FUNCTION outbox_events_notify()');
  }
}
