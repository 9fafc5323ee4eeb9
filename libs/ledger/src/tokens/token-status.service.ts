import { InvalidCursorError, PageRequest, cursorInteger, decodeCursor, encodeCursor, pageSize } from '@app/common';
import { Injectable } from '@nestjs/common';
import { TokenStatusPage } from '../ledger.types';
import { ExchangeTokensRepository } from './exchange-tokens.repository';

/** Where a status page starts: inside the active group, or inside the used group (no `seq`: its start). */
type StatusCursor = { group: 'active' | 'used'; before?: number };

/**
 * A customer's tokens, active first then the most recent used ones, a page at a time, with the
 * balances: one statement, each group read by keyset on an index, so the page costs the same
 * after thousands of used tokens.
 */
@Injectable()
export class TokenStatusService {
  constructor(private readonly tokens: ExchangeTokensRepository) {}

  async status(userId: number, page: PageRequest = {}): Promise<TokenStatusPage> {
    const limit = pageSize(page.limit);
    const cursor = page.cursor === undefined ? { group: 'active' as const } : parseCursor(page.cursor);
    const {
      balance,
      held,
      tokens: rows,
    } = await this.tokens.statusPage({
      userId,
      from: cursor.group,
      beforeSeq: cursor.before,
      rows: limit + 1,
    });
    const active = rows.filter((row) => row.group === 'active');
    const used = rows.filter((row) => row.group === 'used');
    let tokens: typeof rows;
    let nextCursor: StatusCursor | null = null;
    if (active.length > limit) {
      tokens = active.slice(0, limit);
      nextCursor = { group: 'active', before: tokens[tokens.length - 1].seq };
    } else {
      const room = limit - active.length;
      tokens = [...active, ...used.slice(0, room)];
      if (used.length > room) {
        const last = tokens[tokens.length - 1];
        nextCursor = room === 0 || last.group !== 'used' ? { group: 'used' } : { group: 'used', before: last.seq };
      }
    }
    return {
      balance,
      held,
      tokens: tokens.map(({ seq: _seq, group: _group, ...view }) => view),
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
