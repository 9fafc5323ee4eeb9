import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { toNumber } from '../ledger.types';

/**
 * How far back in the journal "recent expiries" look: releases are rare where most tokens are
 * redeemed, and an unbounded search would walk the whole append-only journal on each call (an
 * index on releases would instead cost every sweep a write per token).
 */
const RECENT_JOURNAL_WINDOW = 10_000;

/** An active hold, as an operator sees it: whose, how much, until when. Never the token itself (a bearer secret). */
export interface ActiveHold {
  /** The token's row number (`seq`), to tell holds apart. */
  seq: number;
  username: string;
  points: number;
  expiresAt: string;
  secondsRemaining: number;
}

/** Points an expired token returned to its owner (a `release` entry of the journal). */
export interface RecentExpiry {
  username: string;
  points: number;
  releasedAt: string;
}

/** One sweep that released something (`sweep_runs`). */
export interface SweepRun {
  id: number;
  trigger: string;
  tokens: number;
  users: number;
  points: number;
  durationMs: number;
  finishedAt: string;
}

export interface TokensOverview {
  activeCount: number;
  heldPoints: number;
  active: ActiveHold[];
  recentExpiries: RecentExpiry[];
  sweepRuns: SweepRun[];
}

const iso = (value: Date | string): string => new Date(value).toISOString();

/**
 * The admin console's view of every user's exchange tokens: the active holds that expire first,
 * the latest expiries and the latest sweeps. Each list is one indexed, bounded statement
 * (`exchange_tokens_expiry_idx`, the journal's and sweep_runs' primary keys), so it stays cheap
 * with a long history.
 */
@Injectable()
export class TokensOverviewService {
  constructor(private readonly dataSource: DataSource) {}

  async overview(limit = 20): Promise<TokensOverview> {
    const [totals, active, expiries, sweeps] = await Promise.all([
      this.dataSource.query<{ count: string; points: string | null }[]>(
        `SELECT count(*) AS count, sum(points) AS points FROM exchange_tokens WHERE status = 'active'`,
      ),
      this.dataSource.query<{ seq: string; username: string; points: string; expires_at: Date; remaining: string }[]>(
        `SELECT t.seq, u.username, t.points, t.expires_at,
                greatest(0, ceil(extract(epoch FROM t.expires_at - now()))) AS remaining
         FROM exchange_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.status = 'active' ORDER BY t.expires_at LIMIT $1`,
        [limit],
      ),
      this.dataSource.query<{ username: string; points: string; created_at: Date }[]>(
        `SELECT u.username, e.points, e.created_at
         FROM ledger_entries e JOIN users u ON u.id = e.user_id
         WHERE e.type = 'release' AND e.id > (SELECT coalesce(max(id), 0) FROM ledger_entries) - $2
         ORDER BY e.id DESC LIMIT $1`,
        [limit, RECENT_JOURNAL_WINDOW],
      ),
      this.dataSource.query<
        {
          id: string;
          trigger: string;
          tokens: number;
          users: number;
          points: string;
          duration_ms: number;
          finished_at: Date;
        }[]
      >(
        `SELECT id, trigger, tokens, users, points, duration_ms, finished_at FROM sweep_runs ORDER BY id DESC LIMIT $1`,
        [limit],
      ),
    ]);
    return {
      activeCount: toNumber(totals[0]?.count),
      heldPoints: toNumber(totals[0]?.points),
      active: active.map((row) => ({
        seq: toNumber(row.seq),
        username: row.username,
        points: toNumber(row.points),
        expiresAt: iso(row.expires_at),
        secondsRemaining: toNumber(row.remaining),
      })),
      recentExpiries: expiries.map((row) => ({
        username: row.username,
        points: toNumber(row.points),
        releasedAt: iso(row.created_at),
      })),
      sweepRuns: sweeps.map((row) => ({
        id: toNumber(row.id),
        trigger: row.trigger,
        tokens: row.tokens,
        users: row.users,
        points: toNumber(row.points),
        durationMs: row.duration_ms,
        finishedAt: iso(row.finished_at),
      })),
    };
  }
}
