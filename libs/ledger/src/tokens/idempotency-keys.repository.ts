import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CreatedExchangeToken } from '../ledger.types';

export type IdempotencyClaim =
  { kind: 'claimed' } | { kind: 'existing'; fingerprint: string; response: CreatedExchangeToken | null; now: Date };

/** The first answer per (user, Idempotency-Key) of a token creation. */
@Injectable()
export class IdempotencyKeysRepository {
  /**
   * Claims the key inside the caller's transaction. A concurrent claim of the same key waits on
   * the unique index until the first transaction ends: committed with an answer → it reads it;
   * rolled back or forgotten (the creation failed) → it claims the key itself. So a key never
   * debits twice.
   */
  async claim(manager: EntityManager, userId: number, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO idempotency_keys (user_id, key, fingerprint) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, key) DO NOTHING RETURNING 1`,
      [userId, key, fingerprint],
    );
    if (inserted.length > 0) {
      return { kind: 'claimed' };
    }
    const rows = await manager.query<{ fingerprint: string; response: CreatedExchangeToken | null; now: Date }[]>(
      'SELECT fingerprint, response, now() AS now FROM idempotency_keys WHERE user_id = $1 AND key = $2',
      [userId, key],
    );
    const row = rows[0];
    return {
      kind: 'existing',
      fingerprint: row?.fingerprint ?? fingerprint,
      response: row?.response ?? null,
      now: row?.now ?? new Date(),
    };
  }

  async saveResponse(
    manager: EntityManager,
    userId: number,
    key: string,
    response: CreatedExchangeToken,
  ): Promise<void> {
    await manager.query('UPDATE idempotency_keys SET response = $3 WHERE user_id = $1 AND key = $2', [
      userId,
      key,
      JSON.stringify(response),
    ]);
  }

  /** Drops a claim whose request failed, so that the key can be used again. */
  async forget(manager: EntityManager, userId: number, key: string): Promise<void> {
    await manager.query('DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2', [userId, key]);
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
