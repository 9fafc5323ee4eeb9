import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stream tickets (issue 14): a browser's `EventSource` cannot send an `Authorization` header, so an
 * authenticated client asks for a ticket and opens the stream with `?ticket=…`. A ticket opens one
 * stream (`stream`, e.g. `whatsapp.numbers.6.events`), once, for a minute. Only its SHA-256 is
 * stored; it is consumed by one `DELETE … RETURNING` (`StreamTicketsRepository` in libs/auth), so it
 * opens one stream whichever API process or replica it reaches, and expires on the database clock.
 * `issued_at` lets a revoke-all or a password change void the tickets issued before it. The
 * `stream-tickets-purge` job deletes the expired rows nobody presented, through the expiry index.
 */
export class CreateStreamTickets1764400000000 implements MigrationInterface {
  name = 'CreateStreamTickets1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE stream_tickets (
        ticket_hash bytea PRIMARY KEY CHECK (octet_length(ticket_hash) = 32),
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        stream text NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX stream_tickets_expiry_idx ON stream_tickets (expires_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE stream_tickets');
  }
}
