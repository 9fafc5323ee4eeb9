import { Database } from '@app/database';
import { Injectable } from '@nestjs/common';
import { ExchangeRequestView, RestoredUser, TokenStatusView, toNumber } from '../ledger.types';
import { CREATE_TOKEN, RELEASED_POINTS, STATUS_PAGE, VALIDATE_TOKEN } from './exchange-token.statements';
import { RememberedAnswer, RememberedKey } from './idempotency-keys.repository';

export interface NewToken {
  token: string;
  userId: number;
  points: number;
  ttlMs: number;
  /** How many of the user's expired tokens to release first. */
  releaseLimit: number;
  idempotencyKey?: string;
  fingerprint?: string;
}

export type CreateOutcome =
  | { kind: 'created'; expiresAt: string; expiresInSeconds: number; released: RestoredUser[] }
  | { kind: 'short'; available: number; released: RestoredUser[] }
  /** The key was answered before this statement started: nothing changed. */
  | ({ kind: 'remembered' } & RememberedKey)
  /** A concurrent request with the same key committed first: this one changed nothing. */
  | { kind: 'key_taken' };

export type ValidateOutcome =
  | { kind: 'captured'; request: ExchangeRequestView }
  | { kind: 'released'; points: number; released: RestoredUser[] }
  | { kind: 'used' }
  | { kind: 'absent' };

export type StatusGroup = 'active' | 'used';

export interface StatusRequest {
  userId: number;
  /** Where the page starts: the active group (then the used one), or the used group. */
  from: StatusGroup;
  /** `seq` before which the starting group continues (none: its start). */
  beforeSeq?: number;
  /** Rows to read per group: the page size plus one, which tells whether the list goes on. */
  rows: number;
}

export interface StatusRows {
  balance: number;
  held: number;
  /** Active tokens first, then used ones; within each group the most recent first. */
  tokens: (TokenStatusView & { seq: number; group: StatusGroup })[];
}

interface CreateRow {
  key_fingerprint: string | null;
  key_response: RememberedAnswer | null;
  now: Date;
  expires_at: string | null;
  expires_in_seconds: number | null;
  available: string;
  released_tokens: number;
  released_points: string;
  owner: string | null;
}

interface ValidateRow {
  user_id: number;
  points: string;
  status: StatusGroup;
  expired: boolean;
  released: number;
  request_id: string | null;
  created_at: Date | null;
  customer: string;
  owner: string;
  vendor: string | null;
}

interface StatusRow {
  part: 'token' | 'account';
  token: string;
  seq: string;
  points: string;
  status: StatusGroup;
  expires_at: Date;
  expired: boolean;
  seconds_remaining: number;
  balance: string | null;
  held: string | null;
}

/** The unique index a concurrent creation with the same Idempotency-Key trips over. */
const KEY_CONSTRAINT = 'idempotency_keys_pkey';

/** The only place with SQL on `exchange_tokens` and `exchange_requests` (besides the sweep's set-based release). */
@Injectable()
export class ExchangeTokensRepository {
  constructor(private readonly database: Database) {}

  /** A token creation in one statement (CREATE_TOKEN). */
  async create(request: NewToken): Promise<CreateOutcome> {
    let row: CreateRow;
    try {
      [row] = await this.database.statement<CreateRow>(CREATE_TOKEN, [
        request.token,
        request.userId,
        request.points,
        request.ttlMs,
        request.idempotencyKey ?? null,
        request.fingerprint ?? null,
        request.releaseLimit,
      ]);
    } catch (error) {
      if (isUniqueViolation(error, KEY_CONSTRAINT)) {
        return { kind: 'key_taken' };
      }
      throw error;
    }
    if (row.key_fingerprint !== null) {
      return { kind: 'remembered', fingerprint: row.key_fingerprint, response: row.key_response, now: row.now };
    }
    const released: RestoredUser[] =
      row.released_tokens > 0 && row.owner !== null
        ? [
            {
              userId: request.userId,
              user: row.owner,
              tokens: row.released_tokens,
              points: toNumber(row.released_points),
            },
          ]
        : [];
    return row.expires_at === null || row.expires_in_seconds === null
      ? { kind: 'short', available: toNumber(row.available), released }
      : { kind: 'created', expiresAt: row.expires_at, expiresInSeconds: row.expires_in_seconds, released };
  }

  /** A vendor's validation in one statement (VALIDATE_TOKEN). */
  async validate(token: string, vendorId: number): Promise<ValidateOutcome> {
    const [row] = await this.database.statement<ValidateRow>(VALIDATE_TOKEN, [token, vendorId]);
    if (row === undefined) {
      return { kind: 'absent' };
    }
    const points = toNumber(row.points);
    if (row.status === 'used') {
      return { kind: 'used' };
    }
    if (row.expired) {
      const released = row.released > 0 ? [{ userId: row.user_id, user: row.owner, tokens: 1, points }] : [];
      return { kind: 'released', points, released };
    }
    if (row.request_id === null || row.created_at === null || row.vendor === null) {
      // The row was locked and seen active: reaching here means the books are wrong.
      throw new Error(`Token ${token.slice(0, 6)}… was not captured`);
    }
    return {
      kind: 'captured',
      request: {
        id: toNumber(row.request_id),
        token,
        points,
        customer: row.customer,
        vendor: row.vendor,
        createdAt: row.created_at,
      },
    };
  }

  /** Points a release entry returned for this token: how a swept (deleted) token is still answered 410. */
  async releasedPoints(token: string): Promise<number | undefined> {
    const [row] = await this.database.statement<{ points: string }>(RELEASED_POINTS, [token]);
    return row === undefined ? undefined : toNumber(row.points);
  }

  /** One page of a user's tokens and the balances, in one statement (STATUS_PAGE). */
  async statusPage(request: StatusRequest): Promise<StatusRows> {
    const rows = await this.database.statement<StatusRow>(STATUS_PAGE, [
      request.userId,
      request.from === 'active',
      request.from === 'active' ? (request.beforeSeq ?? null) : null,
      request.from === 'used' ? (request.beforeSeq ?? null) : null,
      request.rows,
    ]);
    const account = rows.find((row) => row.part === 'account');
    const tokens = rows
      .filter((row) => row.part === 'token')
      .map((row) => ({
        token: row.token,
        seq: toNumber(row.seq),
        group: row.status,
        points: toNumber(row.points),
        status: row.expired ? ('expired' as const) : row.status,
        expiresAt: row.expires_at,
        secondsRemaining: row.status === 'active' && !row.expired ? row.seconds_remaining : 0,
      }))
      .sort((a, b) => (a.group === b.group ? b.seq - a.seq : a.group === 'active' ? -1 : 1));
    return { balance: toNumber(account?.balance), held: toNumber(account?.held), tokens };
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === '23505' &&
    (error as { constraint?: unknown }).constraint === constraint
  );
}
