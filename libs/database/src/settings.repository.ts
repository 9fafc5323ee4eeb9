import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * `app_settings`: small JSON values an admin changes at run time and every replica must share
 * (DESIGN.md: the Vinted scheduler's on/off lives in the database, not in one process).
 * Pass the `manager` of a `Database.transaction` to read or write inside that transaction.
 */
@Injectable()
export class SettingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The stored value of `key`, or `undefined` if it was never set. */
  async get<T>(key: string, manager: EntityManager = this.dataSource.manager): Promise<T | undefined> {
    const rows = await manager.query<{ value: T }[]>('SELECT value FROM app_settings WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  /** Stores `value` (anything JSON can represent) under `key`, replacing any previous value. */
  async set<T>(key: string, value: T, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const json = JSON.stringify(value);
    if (json === undefined) {
      throw new TypeError(`Setting "${key}" cannot be stored: its value has no JSON form`);
    }
    await manager.query(
      `INSERT INTO app_settings (key, value, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
      [key, json],
    );
  }
}
