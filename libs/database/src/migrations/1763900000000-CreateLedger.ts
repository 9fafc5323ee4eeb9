import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Points ledger and exchange tokens (issue 4), after TigerBeetle's two-phase transfers:
 * - `point_accounts` keeps each user's spendable `balance` and `held` points (in escrow behind a
 *   live token), moved in the same transaction as the journal entries that explain them.
 * - `ledger_entries` is the append-only journal (a trigger refuses UPDATE, DELETE and TRUNCATE).
 *   A token is held once and resolved at most once: UNIQUE (token_id, type), and a second unique
 *   index over `release`/`capture` so a release after a capture (or the reverse) is impossible.
 * - `exchange_tokens` holds live tokens (active, or used for the status history); expired ones are
 *   released and deleted by the sweep, their history stays in the journal.
 * - `sweep_runs` records the sweeps that did something, `idempotency_keys` the first answer of a
 *   token creation per `Idempotency-Key`.
 */
export class CreateLedger1763900000000 implements MigrationInterface {
  name = 'CreateLedger1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE point_accounts (
        user_id integer PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        balance bigint NOT NULL DEFAULT 0,
        held bigint NOT NULL DEFAULT 0,
        CONSTRAINT point_accounts_non_negative CHECK (balance >= 0 AND held >= 0)
      )`);
    await queryRunner.query(`
      CREATE TABLE ledger_entries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id),
        type text NOT NULL CHECK (type IN ('grant', 'hold', 'release', 'capture')),
        points bigint NOT NULL CHECK (points > 0),
        token_id text,
        reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_entries_token_presence CHECK ((type = 'grant') = (token_id IS NULL)),
        CONSTRAINT ledger_entries_token_type_key UNIQUE (token_id, type)
      )`);
    // At most one resolution per hold: a capture after a release (or the reverse) cannot be written.
    await queryRunner.query(
      `CREATE UNIQUE INDEX ledger_entries_one_resolution_idx ON ledger_entries (token_id) WHERE type IN ('release', 'capture')`,
    );
    await queryRunner.query('CREATE INDEX ledger_entries_user_idx ON ledger_entries (user_id, id DESC)');
    await queryRunner.query(`
      CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger_entries is append-only (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()`);
    await queryRunner.query(`
      CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_append_only()`);
    await queryRunner.query(`
      CREATE TABLE exchange_tokens (
        token text PRIMARY KEY,
        -- Orders the status page (keyset cursor). GENERATED ALWAYS keeps it unique without an index of its own,
        -- which would also tempt the planner away from exchange_tokens_user_status_idx.
        seq bigint GENERATED ALWAYS AS IDENTITY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        points bigint NOT NULL CHECK (points > 0),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'used')),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    // The sweep's scan, oldest expiry first, over live tokens only.
    await queryRunner.query(
      `CREATE INDEX exchange_tokens_expiry_idx ON exchange_tokens (expires_at) WHERE status = 'active'`,
    );
    // A user's expired tokens (sweep on creation) and the status page, by status then most recent.
    await queryRunner.query(
      `CREATE INDEX exchange_tokens_user_expiry_idx ON exchange_tokens (user_id, expires_at) WHERE status = 'active'`,
    );
    await queryRunner.query(
      'CREATE INDEX exchange_tokens_user_status_idx ON exchange_tokens (user_id, status, seq DESC)',
    );
    await queryRunner.query(`
      CREATE TABLE exchange_requests (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        token text NOT NULL UNIQUE,
        customer_id integer NOT NULL REFERENCES users (id),
        vendor_id integer NOT NULL REFERENCES users (id),
        points bigint NOT NULL CHECK (points > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE sweep_runs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        trigger text NOT NULL CHECK (trigger IN ('cron', 'create', 'validate', 'cli')),
        tokens integer NOT NULL,
        users integer NOT NULL,
        points bigint NOT NULL,
        duration_ms integer NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT now(),
        -- Cron runs: the tick the replica claimed (Database.claimTick), and which replica it was.
        tick timestamptz,
        replica text NOT NULL DEFAULT '',
        CONSTRAINT sweep_runs_tick_is_cron CHECK (tick IS NULL OR trigger = 'cron')
      )`);
    // Each cron tick runs on one replica: a second run of one tick could not even be recorded.
    await queryRunner.query(
      `CREATE UNIQUE INDEX sweep_runs_one_per_tick_idx ON sweep_runs (tick) WHERE trigger = 'cron'`,
    );
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        key text NOT NULL,
        fingerprint text NOT NULL,
        response jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE idempotency_keys');
    await queryRunner.query('DROP TABLE sweep_runs');
    await queryRunner.query('DROP TABLE exchange_requests');
    await queryRunner.query('DROP TABLE exchange_tokens');
    await queryRunner.query('DROP TABLE ledger_entries');
    await queryRunner.query('DROP FUNCTION ledger_entries_append_only()');
    await queryRunner.query('DROP TABLE point_accounts');
  }
}
