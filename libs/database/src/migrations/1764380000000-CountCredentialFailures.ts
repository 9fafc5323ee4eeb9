import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The credential throttle counts failures, not requests (issue 13): an attempt reserves a hit
 * before its credentials are checked and gets it back when it succeeds or checks nothing, so a
 * counter can go back to zero within its window. Until the window ends, such a row is a live
 * (empty) window, not a mistake: `hits >= 0`.
 *
 * The keys change meaning too (the auth lib's hashes of action, counter and subject replace
 * `@nestjs/throttler`'s), so the old rows would never be read again: they are dropped rather than
 * left to the purge.
 */
export class CountCredentialFailures1764380000000 implements MigrationInterface {
  name = 'CountCredentialFailures1764380000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM throttle_counters');
    await queryRunner.query(`
      ALTER TABLE throttle_counters
        DROP CONSTRAINT throttle_counters_hits_check,
        ADD CONSTRAINT throttle_counters_hits_check CHECK (hits >= 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM throttle_counters');
    await queryRunner.query(`
      ALTER TABLE throttle_counters
        DROP CONSTRAINT throttle_counters_hits_check,
        ADD CONSTRAINT throttle_counters_hits_check CHECK (hits > 0)`);
  }
}
