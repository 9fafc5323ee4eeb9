import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The credential throttle's counters (issue 12: the limit holds whatever the number of API
 * processes and replicas). One row per counter key — the guard's hash of endpoint, throttler (IP or
 * username) and tracker — updated by one atomic upsert on the database clock
 * (`ThrottleCountersRepository` in libs/auth). A row whose window and block are both over no
 * longer counts; the `throttle-counters-purge` job deletes those through the expression index.
 */
export class CreateThrottleCounters1764350000000 implements MigrationInterface {
  name = 'CreateThrottleCounters1764350000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE throttle_counters (
        key text PRIMARY KEY,
        hits integer NOT NULL CHECK (hits > 0),
        window_ends_at timestamptz NOT NULL,
        blocked_until timestamptz
      )`);
    await queryRunner.query(
      'CREATE INDEX throttle_counters_expiry_idx ON throttle_counters (GREATEST(window_ends_at, blocked_until))',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE throttle_counters');
  }
}
