import { PageRequest, cursorInteger, decodeCursor, encodeCursor, pageSize } from '@app/common';
import { Database } from '@app/database';
import { OutboxRepository } from '@app/events';
import { Injectable, Logger } from '@nestjs/common';
import { InvalidPointsError, MAX_POINTS, UnknownUserError } from '../ledger.errors';
import { Balances, LedgerPage } from '../ledger.types';
import { PointAccountsRepository } from './point-accounts.repository';

/** Rejects anything but a positive integer up to MAX_POINTS (the CLI reaches services without DTOs). */
export function assertPoints(points: unknown): asserts points is number {
  if (typeof points !== 'number' || !Number.isInteger(points) || points < 1 || points > MAX_POINTS) {
    throw new InvalidPointsError();
  }
}

/** Point accounts: grants, balances and the journal that explains them. */
@Injectable()
export class LedgerService {
  private readonly logger = new Logger(LedgerService.name);

  constructor(
    private readonly database: Database,
    private readonly accounts: PointAccountsRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Credits `points` to `username` with a `grant` entry and its event, in one transaction; returns the new balance. */
  async grant(username: string, points: number, reason?: string): Promise<{ balance: number }> {
    assertPoints(points);
    const userId = await this.accounts.findUserId(username);
    if (userId === undefined) {
      throw new UnknownUserError(username);
    }
    const note = reason?.trim() || undefined;
    const balance = await this.database.transaction(async (manager) => {
      const credited = await this.accounts.credit(manager, userId, points);
      await this.accounts.insertEntry(manager, { userId, type: 'grant', points, reason: note });
      await this.outbox.append(manager, [
        {
          type: 'ledger.points.granted',
          aggregateType: 'user',
          aggregateId: String(userId),
          subject: `users/${userId}`,
          data: { userId, points, balance: credited, reason: note ?? null },
        },
      ]);
      return credited;
    });
    this.logger.log(`Granted ${points} points to ${username} (balance ${balance})`);
    return { balance };
  }

  balances(userId: number): Promise<Balances> {
    return this.accounts.balances(userId);
  }

  /** The user's journal, newest first; `nextCursor` is null on the last page. */
  async journal(userId: number, page: PageRequest = {}): Promise<LedgerPage> {
    const limit = pageSize(page.limit);
    const beforeId = page.cursor === undefined ? undefined : cursorInteger(decodeCursor(page.cursor).before);
    const rows = await this.accounts.entries(userId, limit + 1, beforeId);
    const entries = rows.slice(0, limit);
    const nextCursor = rows.length > limit ? encodeCursor({ before: entries[entries.length - 1].id }) : null;
    return { entries, nextCursor };
  }
}
