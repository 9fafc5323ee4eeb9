import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export const SCHEDULER_SETTING_KEY = 'vinted.token-refresh-scheduler';

export interface TickCounts {
  checked: number;
  refreshed: number;
  failed: number;
}

/** The scheduler's shared state: one JSON value in `app_settings`, the same for every replica. */
export interface SchedulerState {
  active: boolean;
  intervalMinutes: number;
  /** ISO instants (database clock). */
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastRun: TickCounts | null;
  /** `config`: set by VINTED_AUTO_REFRESH_ENABLED at boot; `admin`: by the API, which boot then respects. */
  controlledBy: 'config' | 'admin';
}

/**
 * Reads and writes the scheduler state row under a row lock (`FOR UPDATE`), so a tick recording
 * its counts and an admin's stop never overwrite each other. Call inside `Database.transaction`.
 */
@Injectable()
export class SchedulerStateRepository {
  constructor(private readonly dataSource: DataSource) {}

  async now(manager: EntityManager): Promise<Date> {
    const rows = await manager.query<{ now: Date }[]>('SELECT now() AS now');
    return rows[0].now;
  }

  /** The state, locked until the transaction ends; `undefined` if never written. */
  async lock(manager: EntityManager): Promise<SchedulerState | undefined> {
    // The row must exist to be locked: two first writers then queue on it instead of racing.
    await manager.query(
      `INSERT INTO app_settings (key, value) VALUES ($1, 'null'::jsonb) ON CONFLICT (key) DO NOTHING`,
      [SCHEDULER_SETTING_KEY],
    );
    const rows = await manager.query<{ value: SchedulerState | null }[]>(
      'SELECT value FROM app_settings WHERE key = $1 FOR UPDATE',
      [SCHEDULER_SETTING_KEY],
    );
    return rows[0]?.value ?? undefined;
  }

  async read(manager: EntityManager = this.dataSource.manager): Promise<SchedulerState | undefined> {
    const rows = await manager.query<{ value: SchedulerState | null }[]>(
      'SELECT value FROM app_settings WHERE key = $1',
      [SCHEDULER_SETTING_KEY],
    );
    return rows[0]?.value ?? undefined;
  }

  async write(state: SchedulerState, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO app_settings (key, value, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
      [SCHEDULER_SETTING_KEY, JSON.stringify(state)],
    );
  }
}
