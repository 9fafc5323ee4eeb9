/** What a user may spend (`balance`) and what sits in escrow behind live tokens (`held`). */
export interface Balances {
  balance: number;
  held: number;
}

export type LedgerEntryType = 'grant' | 'hold' | 'release' | 'capture';

export interface LedgerEntryView {
  id: number;
  type: LedgerEntryType;
  points: number;
  tokenId: string | null;
  createdAt: Date;
}

export interface LedgerPage {
  entries: LedgerEntryView[];
  nextCursor: string | null;
}

/** The answer to a token creation; replayed as is for a retry with the same Idempotency-Key. */
export interface CreatedExchangeToken {
  token: string;
  points: number;
  expiresAt: string;
  expiresInSeconds: number;
  qrCode: string;
}

export interface ExchangeRequestView {
  id: number;
  token: string;
  points: number;
  customer: string;
  vendor: string;
  createdAt: Date;
}

export type TokenStatus = 'active' | 'used' | 'expired';

export interface TokenStatusView {
  token: string;
  points: number;
  status: TokenStatus;
  expiresAt: Date;
  secondsRemaining: number;
}

export interface TokenStatusPage extends Balances {
  tokens: TokenStatusView[];
  nextCursor: string | null;
}

/** Who started a sweep; every trigger runs the same `ExpirySweeper`. */
export type SweepTrigger = 'cron' | 'create' | 'validate' | 'cli';

/** Points returned to one user by a sweep (`user` is the email, or the username when there is none). */
export interface RestoredUser {
  userId: number;
  user: string;
  tokens: number;
  points: number;
}

export interface SweepReport {
  trigger: SweepTrigger;
  dryRun: boolean;
  tokens: number;
  points: number;
  users: RestoredUser[];
  durationMs: number;
}

/** SQL numbers: pg returns bigint and numeric as strings; every amount here fits a double exactly. */
export function toNumber(value: string | number | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}
