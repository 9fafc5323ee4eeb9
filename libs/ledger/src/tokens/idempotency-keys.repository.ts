import { Database, SqlStatement } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** What a token creation remembers for its Idempotency-Key (the QR image is drawn again from `token`). */
export interface RememberedAnswer {
  token: string;
  points: number;
  expiresAt: string;
  /** Only in answers remembered before the image was left out of them. */
  qrCode?: string;
}

export interface RememberedKey {
  fingerprint: string;
  response: RememberedAnswer | null;
  /** The database clock when it was read. */
  now: Date;
}

const REMEMBERED_KEY: SqlStatement = {
  name: 'ledger_remembered_key',
  text: 'SELECT fingerprint, response, now() AS now FROM idempotency_keys WHERE user_id = $1 AND key = $2',
};

/**
 * The first answer per (user, Idempotency-Key) of a token creation. The creation statement itself
 * (CREATE_TOKEN) reads and writes the key; this reads it again in a statement of its own, which
 * sees what committed after the creation's statement began.
 */
@Injectable()
export class IdempotencyKeysRepository {
  constructor(private readonly database: Database) {}

  async remembered(userId: number, key: string): Promise<RememberedKey | undefined> {
    const [row] = await this.database.statement<RememberedKey>(REMEMBERED_KEY, [userId, key]);
    return row;
  }

  /** Forgets keys older than `ageMs`; returns how many. */
  async purgeOlderThan(manager: EntityManager, ageMs: number): Promise<number> {
    const [, count] = await manager.query<[unknown[], number]>(
      `DELETE FROM idempotency_keys WHERE created_at < now() - $1 * interval '1 millisecond'`,
      [ageMs],
    );
    return count;
  }
}
