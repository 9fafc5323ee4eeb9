import { Injectable } from '@nestjs/common';
import { PointAccountsRepository } from '../accounts/point-accounts.repository';
import { InvalidCursorError } from '../ledger.errors';
import { PageRequest, TokenStatusPage, TokenStatusView } from '../ledger.types';
import { cursorInteger, decodeCursor, encodeCursor, pageSize } from '../pagination';
import { ExchangeTokensRepository } from './exchange-tokens.repository';

/** Where a status page starts: inside the active group, or inside the used group (no `seq`: its start). */
type StatusCursor = { group: 'active' | 'used'; before?: number };

/**
 * A customer's tokens, active first then the most recent used ones, a page at a time. Each group
 * is read by keyset on an index, so the page costs the same after thousands of used tokens.
 */
@Injectable()
export class TokenStatusService {
  constructor(
    private readonly accounts: PointAccountsRepository,
    private readonly tokens: ExchangeTokensRepository,
  ) {}

  async status(userId: number, page: PageRequest = {}): Promise<TokenStatusPage> {
    const limit = pageSize(page.limit);
    const cursor = page.cursor === undefined ? { group: 'active' as const } : parseCursor(page.cursor);
    const tokens: (TokenStatusView & { seq: number })[] = [];
    let nextCursor: StatusCursor | null = null;
    if (cursor.group === 'active') {
      const active = await this.tokens.statusPage(userId, 'active', limit + 1, cursor.before);
      tokens.push(...active.slice(0, limit));
      if (active.length > limit) {
        nextCursor = { group: 'active', before: tokens[tokens.length - 1].seq };
      }
    }
    if (nextCursor === null) {
      const room = limit - tokens.length;
      const used = await this.tokens.statusPage(
        userId,
        'used',
        room + 1,
        cursor.group === 'used' ? cursor.before : undefined,
      );
      tokens.push(...used.slice(0, room));
      if (used.length > room) {
        const last = tokens[tokens.length - 1];
        nextCursor = room === 0 || last.status !== 'used' ? { group: 'used' } : { group: 'used', before: last.seq };
      }
    }
    const balances = await this.accounts.balances(userId);
    return {
      ...balances,
      tokens: tokens.map(({ seq: _seq, ...view }) => view),
      nextCursor: nextCursor === null ? null : encodeCursor(nextCursor),
    };
  }
}

function parseCursor(cursor: string): StatusCursor {
  const value = decodeCursor(cursor);
  if (value.group !== 'active' && value.group !== 'used') {
    throw new InvalidCursorError();
  }
  return value.before === undefined
    ? { group: value.group }
    : { group: value.group, before: cursorInteger(value.before) };
}
