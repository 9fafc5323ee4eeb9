import { Database, SqlStatement } from '@app/database';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Balances, LedgerEntryType, LedgerEntryView, toNumber } from '../ledger.types';

interface EntryRow {
  id: string;
  type: LedgerEntryType;
  points: string;
  token_id: string | null;
  created_at: Date;
}

export interface NewLedgerEntry {
  userId: number;
  type: LedgerEntryType;
  points: number;
  tokenId?: string;
  reason?: string;
}

const BALANCES: SqlStatement = {
  name: 'ledger_balances',
  text: 'SELECT balance, held FROM point_accounts WHERE user_id = $1',
};

/** Newest first, keyset-paginated on the identity column (index `ledger_entries_user_idx`, even in a generic plan). */
const ENTRIES: SqlStatement = {
  name: 'ledger_entries_page',
  text: `SELECT id, type, points, token_id, created_at FROM ledger_entries
         WHERE user_id = $1 AND id < coalesce($2::bigint, 9223372036854775807)
         ORDER BY id DESC LIMIT $3`,
};

/**
 * SQL on `point_accounts` and `ledger_entries` for grants and reads (holds, captures and releases
 * are set-based statements of their own repositories). The two reads a client polls run as
 * prepared statements (Database.statement).
 */
@Injectable()
export class PointAccountsRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly database: Database,
  ) {}

  async findUserId(username: string, manager: EntityManager = this.dataSource.manager): Promise<number | undefined> {
    const rows = await manager.query<{ id: number }[]>('SELECT id FROM users WHERE username = $1', [username]);
    return rows[0]?.id;
  }

  /** Adds `points` to the balance, creating the account on first use; returns the new balance. */
  async credit(manager: EntityManager, userId: number, points: number): Promise<number> {
    const rows = await manager.query<{ balance: string }[]>(
      `INSERT INTO point_accounts (user_id, balance) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET balance = point_accounts.balance + EXCLUDED.balance
       RETURNING balance`,
      [userId, points],
    );
    return toNumber(rows[0].balance);
  }

  async balances(userId: number): Promise<Balances> {
    const [row] = await this.database.statement<{ balance: string; held: string }>(BALANCES, [userId]);
    return { balance: toNumber(row?.balance), held: toNumber(row?.held) };
  }

  async insertEntry(manager: EntityManager, entry: NewLedgerEntry): Promise<void> {
    await manager.query(
      'INSERT INTO ledger_entries (user_id, type, points, token_id, reason) VALUES ($1, $2, $3, $4, $5)',
      [entry.userId, entry.type, entry.points, entry.tokenId ?? null, entry.reason ?? null],
    );
  }

  async entries(userId: number, limit: number, beforeId?: number): Promise<LedgerEntryView[]> {
    const rows = await this.database.statement<EntryRow>(ENTRIES, [userId, beforeId ?? null, limit]);
    return rows.map((row) => ({
      id: toNumber(row.id),
      type: row.type,
      points: toNumber(row.points),
      tokenId: row.token_id,
      createdAt: row.created_at,
    }));
  }
}
