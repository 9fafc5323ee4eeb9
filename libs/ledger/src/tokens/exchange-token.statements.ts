import { SqlStatement } from '@app/database';
import { OUTBOX_COLUMNS } from '@app/events';

/**
 * The token hot paths, one statement each (Database.statement): a creation or a validation is one
 * round trip and one implicit transaction, so the account row is locked only while the server
 * runs and commits it. Each keeps the rules of the separate steps it replaces:
 * - an expired token is released the way ExpirySweeper releases it (lock SKIP LOCKED, `release`
 *   entry ON CONFLICT DO NOTHING, credit only what was written, delete the live row);
 * - the account row is locked (FOR UPDATE, which reads its latest committed version) before the
 *   one UPDATE that moves its points, and that UPDATE reads the same version: a statement may
 *   lock a row and then change it, but must never change one row twice;
 * - expiry is decided by the database clock, in the statement that holds the row lock;
 * - each change writes its domain event into the outbox in the same statement (so in the same
 *   transaction), after the row lock of its aggregate is held. Events name a token by its `seq`,
 *   never by its (secret) string.
 */

/**
 * $1 token, $2 user id, $3 points, $4 TTL in ms, $5 Idempotency-Key (or null), $6 its body
 * fingerprint, $7 how many of the user's expired tokens to release first.
 *
 * A key already answered (visible to this statement) changes nothing and is returned. Otherwise the
 * user's expired tokens are released first, so their points count; then, if the balance covers
 * `points`, they move to `held` and the token, its `hold` entry and the key's answer are written.
 * The key row is a plain INSERT: a concurrent request with the same key that committed first makes
 * this one fail whole (unique violation on idempotency_keys_pkey), and the caller replays its answer.
 * `expires_at` is truncated to milliseconds, so the answer's `expiresAt` is exact in JSON.
 */
export const CREATE_TOKEN: SqlStatement = {
  name: 'ledger_create_token',
  text: `
    WITH existing AS (
      SELECT fingerprint, response FROM idempotency_keys WHERE user_id = $2 AND key = $5::text
    ), expired AS MATERIALIZED (
      SELECT token, seq, points FROM exchange_tokens
      WHERE user_id = $2 AND status = 'active' AND expires_at <= now() AND NOT EXISTS (SELECT FROM existing)
      ORDER BY expires_at LIMIT $7 FOR UPDATE SKIP LOCKED
    ), released AS (
      INSERT INTO ledger_entries (user_id, type, points, token_id, reason)
      SELECT $2, 'release', points, token, 'expired' FROM expired
      ON CONFLICT DO NOTHING
      RETURNING token_id, points
    ), removed AS (
      DELETE FROM exchange_tokens t USING expired e WHERE t.token = e.token
    ), freed AS (
      SELECT count(*)::int AS tokens, coalesce(sum(points), 0)::bigint AS points FROM released
    ), account AS MATERIALIZED (
      SELECT a.balance + f.points AS available, f.points AS freed, a.balance + f.points >= $3::bigint AS covered
      FROM point_accounts a CROSS JOIN freed f
      WHERE a.user_id = $2 AND NOT EXISTS (SELECT FROM existing)
      FOR UPDATE OF a
    ), moved AS (
      UPDATE point_accounts a
      SET balance = a.balance + c.freed - CASE WHEN c.covered THEN $3::bigint ELSE 0 END,
          held = a.held - c.freed + CASE WHEN c.covered THEN $3::bigint ELSE 0 END
      FROM account c
      WHERE a.user_id = $2 AND (c.covered OR c.freed > 0)
    ), created AS (
      INSERT INTO exchange_tokens (token, user_id, points, expires_at)
      SELECT $1, $2, $3::bigint, date_trunc('milliseconds', now() + $4::bigint * interval '1 millisecond')
      FROM account WHERE covered
      RETURNING seq, expires_at
    ), events AS (
      INSERT INTO ${OUTBOX_COLUMNS}
      SELECT 'exchange_token', e.seq::text, 'ledger.token.expired', 'tokens/' || e.seq,
             jsonb_build_object('tokenId', e.seq, 'userId', $2::int, 'pointsRestored', r.points, 'trigger', 'create')
      FROM released r JOIN expired e ON e.token = r.token_id
      UNION ALL
      SELECT 'exchange_token', seq::text, 'ledger.token.created', 'tokens/' || seq,
             jsonb_build_object('tokenId', seq, 'userId', $2::int, 'points', $3::bigint,
                                'expiresAt', to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      FROM created
    ), answer AS (
      SELECT to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires_at,
             greatest(0, ceil(extract(epoch FROM expires_at - now())))::int AS expires_in_seconds
      FROM created
    ), hold AS (
      INSERT INTO ledger_entries (user_id, type, points, token_id) SELECT $2, 'hold', $3::bigint, $1 FROM created
    ), remembered AS (
      INSERT INTO idempotency_keys (user_id, key, fingerprint, response)
      SELECT $2, $5::text, $6, jsonb_build_object('token', $1::text, 'points', $3::bigint, 'expiresAt', expires_at)
      FROM answer WHERE $5::text IS NOT NULL
    )
    SELECT e.fingerprint AS key_fingerprint, e.response AS key_response, now() AS now,
           n.expires_at, n.expires_in_seconds, coalesce(c.available, 0) AS available,
           f.tokens AS released_tokens, f.points AS released_points,
           CASE WHEN f.tokens > 0 THEN (SELECT coalesce(nullif(u.email, ''), u.username) FROM users u WHERE u.id = $2) END
             AS owner
    FROM freed f LEFT JOIN existing e ON true LEFT JOIN account c ON true LEFT JOIN answer n ON true`,
};

/**
 * $1 token, $2 vendor id. Locks the token and decides with the database clock: active and
 * unexpired → used, its points leave escrow, a `capture` entry and the exchange request are
 * written; active and expired → released as the sweep would and deleted; used → nothing. No row:
 * unknown, or released by a sweep before this statement could lock it (RELEASED_POINTS tells).
 */
export const VALIDATE_TOKEN: SqlStatement = {
  name: 'ledger_validate_token',
  text: `
    WITH t AS MATERIALIZED (
      SELECT token, seq, user_id, points, status, expires_at <= now() AS expired
      FROM exchange_tokens WHERE token = $1 FOR UPDATE
    ), captured AS (
      UPDATE exchange_tokens e SET status = 'used', used_at = now()
      FROM t WHERE e.token = t.token AND t.status = 'active' AND NOT t.expired
      RETURNING e.token, e.user_id, e.points
    ), released AS (
      INSERT INTO ledger_entries (user_id, type, points, token_id, reason)
      SELECT user_id, 'release', points, token, 'expired' FROM t WHERE status = 'active' AND expired
      ON CONFLICT DO NOTHING
      RETURNING user_id, points
    ), removed AS (
      DELETE FROM exchange_tokens e USING t WHERE e.token = t.token AND t.status = 'active' AND t.expired
    ), moved AS (
      SELECT user_id, points, 0::bigint AS restored FROM captured
      UNION ALL
      SELECT user_id, points, points FROM released
    ), escrow AS (
      UPDATE point_accounts a SET balance = a.balance + m.restored, held = a.held - m.points
      FROM moved m WHERE a.user_id = m.user_id
    ), entry AS (
      INSERT INTO ledger_entries (user_id, type, points, token_id) SELECT user_id, 'capture', points, token FROM captured
    ), request AS (
      INSERT INTO exchange_requests (token, customer_id, vendor_id, points)
      SELECT token, user_id, $2, points FROM captured
      RETURNING id, created_at
    ), events AS (
      INSERT INTO ${OUTBOX_COLUMNS}
      SELECT 'exchange_token', t.seq::text, 'ledger.token.redeemed', 'tokens/' || t.seq,
             jsonb_build_object('tokenId', t.seq, 'userId', t.user_id, 'vendorId', $2::int, 'points', t.points,
                                'requestId', r.id)
      FROM t JOIN request r ON true
      UNION ALL
      SELECT 'exchange_token', t.seq::text, 'ledger.token.expired', 'tokens/' || t.seq,
             jsonb_build_object('tokenId', t.seq, 'userId', t.user_id, 'pointsRestored', r.points, 'trigger', 'validate')
      FROM t JOIN released r ON true
    )
    SELECT t.user_id, t.points, t.status, t.expired, (SELECT count(*) FROM released)::int AS released,
           r.id AS request_id, r.created_at, c.username AS customer, coalesce(nullif(c.email, ''), c.username) AS owner,
           v.username AS vendor
    FROM t JOIN users c ON c.id = t.user_id LEFT JOIN request r ON true LEFT JOIN users v ON v.id = $2`,
};

/** $1 token: the points its `release` entry returned, if a sweep released it. */
export const RELEASED_POINTS: SqlStatement = {
  name: 'ledger_released_points',
  text: `SELECT points FROM ledger_entries WHERE token_id = $1 AND type = 'release'`,
};

/**
 * $1 user id, $2 whether the page starts in the active group, $3 `seq` before which the active
 * group continues, $4 `seq` before which the used group continues, $5 page size + 1. One page of
 * the status list, active tokens first, plus the account's balances, in one statement. Each group
 * is a keyset read on `exchange_tokens_user_status_idx` (so thousands of used tokens cost nothing);
 * the used group is read only for the room the active group leaves (one more row tells whether it
 * goes on). `seq < coalesce(…)` rather than `(… IS NULL OR seq < …)`: a prepared statement may run
 * a generic plan, which keeps only the former as an index condition (deep pages stay one seek).
 * Expiry is lazy: an active row past `expires_at` shows `expired` before the sweep runs.
 */
const SEQ_END = '9223372036854775807'; // bigint's largest: without a cursor, a group starts at its newest row

export const STATUS_PAGE: SqlStatement = {
  name: 'ledger_status_page',
  text: `
    WITH active AS MATERIALIZED (
      SELECT token, seq, points, status, expires_at FROM exchange_tokens
      WHERE $2::boolean AND user_id = $1 AND status = 'active' AND seq < coalesce($3::bigint, ${SEQ_END})
      ORDER BY seq DESC LIMIT $5
    ), used AS (
      SELECT token, seq, points, status, expires_at FROM exchange_tokens
      WHERE user_id = $1 AND status = 'used' AND seq < coalesce($4::bigint, ${SEQ_END})
      ORDER BY seq DESC LIMIT greatest(0, $5 - (SELECT count(*) FROM active))
    ), page AS (
      SELECT * FROM active UNION ALL SELECT * FROM used
    )
    SELECT 'token' AS part, token, seq, points, status, expires_at,
           status = 'active' AND expires_at <= now() AS expired,
           greatest(0, ceil(extract(epoch FROM expires_at - now())))::int AS seconds_remaining,
           NULL::bigint AS balance, NULL::bigint AS held
    FROM page
    UNION ALL
    SELECT 'account', NULL, NULL, NULL, NULL, NULL, NULL, NULL, balance, held FROM point_accounts WHERE user_id = $1`,
};
