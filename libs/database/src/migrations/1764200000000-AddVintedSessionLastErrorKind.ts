import { MigrationInterface, QueryRunner } from 'typeorm';

/** The kinds a refresh can fail with; the CHECK below and the backfill use the same list. */
const KINDS = `'configuration', 'dead', 'blocked', 'transient'`;

/**
 * Vinted sessions keep why their last refresh failed as state, not as a string to parse (issue 11).
 * - `last_error_kind`: `configuration`, `dead`, `blocked` or `transient`; null when the last
 *   refresh succeeded. The token endpoint chooses its error from it.
 * - `last_error` keeps only the human reason. Until now it held `<kind>: <reason>`: the backfill
 *   moves the prefix into the new column, so the kind lives in one place and cannot disagree with
 *   a copy of itself. The API and CLI still show `<kind>: <reason>`, rebuilt from the two columns.
 *   A value without a known prefix (none is written) is left as it is, with no kind.
 */
export class AddVintedSessionLastErrorKind1764200000000 implements MigrationInterface {
  name = 'AddVintedSessionLastErrorKind1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE vinted_sessions ADD COLUMN last_error_kind text
        CONSTRAINT vinted_sessions_last_error_kind_check CHECK (last_error_kind IN (${KINDS}))`);
    // Right-hand sides read the row as it was, so both see the prefixed `last_error`.
    await queryRunner.query(`
      UPDATE vinted_sessions
         SET last_error_kind = split_part(last_error, ': ', 1),
             last_error = substr(last_error, length(split_part(last_error, ': ', 1)) + 3)
       WHERE split_part(last_error, ': ', 1) IN (${KINDS}) AND strpos(last_error, ': ') > 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE vinted_sessions SET last_error = last_error_kind || ': ' || coalesce(last_error, '')
       WHERE last_error_kind IS NOT NULL`);
    await queryRunner.query('ALTER TABLE vinted_sessions DROP COLUMN last_error_kind');
  }
}
