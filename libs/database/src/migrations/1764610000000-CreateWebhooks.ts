import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed webhooks (issue 15, libs/webhooks). An admin's subscriptions (URL, event types, the
 * signing secret sealed with AES-256-GCM), and one delivery row per (subscription, event): the
 * relay's mark-sent statement inserts them (`OutboxRepository.markSent`), so an event fans out
 * exactly once, and each row keeps the CloudEvent it sends (`json`, the published text byte for
 * byte) because outbox rows are purged after EVENTS_RETENTION. A pending row is due at
 * `next_attempt_at`; a sender's claim stamps `lease_id` and pushes `next_attempt_at` past the
 * request timeout, so a crashed sender's claim falls due again.
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
        payload json NOT NULL,
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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE webhook_deliveries');
    await queryRunner.query('DROP TABLE webhook_subscriptions');
  }
}
