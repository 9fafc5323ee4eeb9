import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox's cost on the hot paths (issue 15's bench: exchange-token creation fell from 851 to
 * 607 req/s, create+validate pairs from 522 to 364/s, with the outbox):
 *
 * - A transaction that NOTIFYs takes PostgreSQL's cluster-wide notify lock at commit and holds it
 *   until the commit is flushed, so every notifying commit waits for the previous one's WAL flush:
 *   one NOTIFY per event-writing statement serialised the API's commits. The trigger now NOTIFYs
 *   at most once per 25 ms slot of the database clock (the last slot that notified is kept in a
 *   sequence: read and set without any transactional lock). A wakeup is a hint only: an event whose
 *   statement skipped it is published by the relay's run after the notified one (OutboxRelayCron
 *   runs again one slot later) or by its next poll, so nothing depends on it but latency.
 * - `seq` lost its UNIQUE index: identity values are unique by construction, the relay reads and
 *   marks unsent rows through `outbox_events_unsent_idx`, and nothing looks a row up by `seq`
 *   among sent ones. One index fewer to write on each insert and on each mark.
 */
export class CheaperOutboxWrites1764520000000 implements MigrationInterface {
  name = 'CheaperOutboxWrites1764520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_seq_key');
    await queryRunner.query('CREATE SEQUENCE outbox_events_wakeup_slot MINVALUE 0 START 0');
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION outbox_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        slot bigint := floor(extract(epoch FROM clock_timestamp()) * 40);
      BEGIN
        IF slot > (SELECT last_value FROM outbox_events_wakeup_slot) THEN
          PERFORM setval('outbox_events_wakeup_slot', slot);
          PERFORM pg_notify('outbox_events', '');
        END IF;
        RETURN NULL;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION outbox_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_events', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query('DROP SEQUENCE outbox_events_wakeup_slot');
    await queryRunner.query('ALTER TABLE outbox_events ADD CONSTRAINT outbox_events_seq_key UNIQUE (seq)');
  }
}
