import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed webhooks (issue 15, libs/webhooks). An admin's subscriptions (URL, event types, the
 * signing secret sealed with AES-256-GCM), and one delivery row per (subscription, event).
 *
 * The fan-out is this lib's trigger on `outbox_events`: the statement that marks published events
 * sent inserts their deliveries, in the same transaction, so an event fans out exactly once (the
 * relay marks only unsent rows, and (subscription, event) is unique), and `libs/events` knows
 * nothing of webhooks. Each delivery keeps the event's fields (outbox rows are purged after
 * EVENTS_RETENTION); the sender rebuilds the CloudEvent with the relay's own `toCloudEvent`, the
 * same bytes the broker got. A pending row is due at `next_attempt_at`; a sender's claim stamps
 * `lease_id` and pushes `next_attempt_at` past the request timeout, so a crashed sender's claim
 * falls due again.
 */
export class CreateWebhooks1764610000000 implements MigrationInterface {
  name = 'CreateWebhooks1764610000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_subscriptions (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        url text NOT NULL,
        event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
        secret_sealed text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE webhook_deliveries (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        subscription_id integer NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        subject text NOT NULL,
        data jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_id uuid,
        first_attempt_at timestamptz,
        last_attempt_at timestamptz,
        last_status_code integer,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (subscription_id, event_id)
      )`);
    // The sender's claim (due rows of one subscription) and its in-flight count.
    await queryRunner.query(`
      CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (subscription_id, next_attempt_at)
      WHERE status = 'pending'`);
    // A subscription's delivery log, newest first.
    await queryRunner.query('CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (subscription_id, id)');
    // The minutely purge of finished deliveries past WEBHOOK_DELIVERY_RETENTION, without a full scan.
    await queryRunner.query(`
      CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (last_attempt_at)
      WHERE status <> 'pending'`);
    // Once per mark-sent statement (transition table): with no subscription, one empty join.
    await queryRunner.query(`
      CREATE FUNCTION webhook_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, subject, data, occurred_at)
        SELECT s.id, e.id, e.type, e.subject, e.payload, e.occurred_at
        FROM sent_events e
        JOIN unsent_before b ON b.id = e.id AND b.sent_at IS NULL
        JOIN webhook_subscriptions s ON s.active AND (e.type = ANY (s.event_types) OR '*' = ANY (s.event_types))
        WHERE e.sent_at IS NOT NULL
        ORDER BY e.seq, s.id
        ON CONFLICT (subscription_id, event_id) DO NOTHING;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER outbox_events_webhook_fan_out AFTER UPDATE ON outbox_events
      REFERENCING OLD TABLE AS unsent_before NEW TABLE AS sent_events
      FOR EACH STATEMENT EXECUTE FUNCTION webhook_fan_out()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER outbox_events_webhook_fan_out ON outbox_events');
    await queryRunner.query('DROP FUNCTION webhook_fan_out()');
    await queryRunner.query('DROP TABLE webhook_deliveries');
    await queryRunner.query('DROP TABLE webhook_subscriptions');
  }
}
