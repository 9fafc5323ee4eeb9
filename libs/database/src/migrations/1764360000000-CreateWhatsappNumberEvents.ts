import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The applied WhatsApp worker events, kept a few minutes so every API process can stream each one
 * (issue 12, cluster mode). The process that consumes an event from the bus applies it and inserts
 * it here in one statement, which also sends `pg_notify('hourglass_whatsapp_events', id)`; every
 * process hears the id at commit and reads the event for its SSE streams. The event body (a QR data
 * URL, an error text) can outgrow NOTIFY's 8000-byte payload: only the id travels. `json`, not
 * `jsonb`: the stream sends the body as the worker wrote it. The `whatsapp-events-purge` job deletes
 * old rows.
 */
export class CreateWhatsappNumberEvents1764360000000 implements MigrationInterface {
  name = 'CreateWhatsappNumberEvents1764360000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE whatsapp_number_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        number_id integer NOT NULL,
        event json NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX whatsapp_number_events_created_idx ON whatsapp_number_events (created_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE whatsapp_number_events');
  }
}
