import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { toNumber } from '../ledger.types';

export interface AccountDrift {
  userId: number;
  username: string;
  balance: number;
  held: number;
  journalBalance: number;
  journalHeld: number;
  activeTokens: number;
}

/** Read-only consistency queries over the whole ledger; each is one statement, so it reads one snapshot. */
@Injectable()
export class LedgerVerifyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Accounts whose stored balances disagree with the sums of the journal, or whose `held`
   * disagrees with the points of their active tokens.
   */
  async accountDrift(): Promise<AccountDrift[]> {
    const rows = await this.dataSource.query<Record<string, string | number | null>[]>(`
      WITH journal AS (
        SELECT user_id,
               sum(CASE type WHEN 'grant' THEN points WHEN 'release' THEN points WHEN 'hold' THEN -points ELSE 0 END) AS balance,
               sum(CASE type WHEN 'hold' THEN points WHEN 'release' THEN -points WHEN 'capture' THEN -points ELSE 0 END) AS held
        FROM ledger_entries GROUP BY user_id
      ), live AS (
        SELECT user_id, sum(points) AS held FROM exchange_tokens WHERE status = 'active' GROUP BY user_id
      ), everyone AS (
        SELECT user_id FROM point_accounts UNION SELECT user_id FROM journal UNION SELECT user_id FROM live
      )
      SELECT e.user_id, u.username, coalesce(a.balance, 0) AS balance, coalesce(a.held, 0) AS held,
             coalesce(j.balance, 0) AS journal_balance, coalesce(j.held, 0) AS journal_held, coalesce(l.held, 0) AS active_tokens
      FROM everyone e JOIN users u ON u.id = e.user_id
      LEFT JOIN point_accounts a ON a.user_id = e.user_id
      LEFT JOIN journal j ON j.user_id = e.user_id
      LEFT JOIN live l ON l.user_id = e.user_id
      WHERE coalesce(a.balance, 0) <> coalesce(j.balance, 0)
         OR coalesce(a.held, 0) <> coalesce(j.held, 0)
         OR coalesce(a.held, 0) <> coalesce(l.held, 0)
      ORDER BY e.user_id`);
    return rows.map((row) => ({
      userId: toNumber(row.user_id),
      username: String(row.username),
      balance: toNumber(row.balance),
      held: toNumber(row.held),
      journalBalance: toNumber(row.journal_balance),
      journalHeld: toNumber(row.journal_held),
      activeTokens: toNumber(row.active_tokens),
    }));
  }

  /**
   * Token-level rules: every release or capture follows a hold of the same points; an active token
   * has a hold and no resolution; a used token has a capture; a hold with no live token was resolved.
   */
  async tokenProblems(): Promise<string[]> {
    const rows = await this.dataSource.query<{ problem: string }[]>(`
      SELECT 'token ' || r.token_id || ': ' || r.type || ' without a matching hold' AS problem
      FROM ledger_entries r LEFT JOIN ledger_entries h ON h.token_id = r.token_id AND h.type = 'hold'
      WHERE r.type IN ('release', 'capture') AND (h.id IS NULL OR h.points <> r.points OR h.user_id <> r.user_id)
      UNION ALL
      SELECT 'token ' || t.token || ': ' || t.status || ' token ' ||
             CASE WHEN h.id IS NULL THEN 'has no hold entry' WHEN t.status = 'active' THEN 'is already resolved' ELSE 'has no capture entry' END
      FROM exchange_tokens t
      LEFT JOIN ledger_entries h ON h.token_id = t.token AND h.type = 'hold'
      LEFT JOIN ledger_entries r ON r.token_id = t.token AND r.type IN ('release', 'capture')
      WHERE h.id IS NULL OR (t.status = 'active' AND r.id IS NOT NULL) OR (t.status = 'used' AND (r.id IS NULL OR r.type <> 'capture'))
      UNION ALL
      SELECT 'token ' || h.token_id || ': hold of ' || h.points || ' points neither live nor resolved'
      FROM ledger_entries h
      WHERE h.type = 'hold'
        AND NOT EXISTS (SELECT 1 FROM exchange_tokens t WHERE t.token = h.token_id)
        AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.token_id = h.token_id AND r.type IN ('release', 'capture'))
      ORDER BY 1 LIMIT 1000`);
    return rows.map((row) => row.problem);
  }

  async accountCount(): Promise<number> {
    const rows = await this.dataSource.query<{ count: string }[]>('SELECT count(*) AS count FROM point_accounts');
    return toNumber(rows[0].count);
  }
}
