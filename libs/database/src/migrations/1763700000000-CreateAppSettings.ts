import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runtime state an admin changes and every replica must see (e.g. the Vinted scheduler's on/off
 * and interval): kept in the database, not in one process's memory.
 */
export class CreateAppSettings1763700000000 implements MigrationInterface {
  name = 'CreateAppSettings1763700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE app_settings (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE app_settings');
  }
}
