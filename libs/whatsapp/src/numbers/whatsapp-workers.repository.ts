import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HeartbeatEvent } from '../whatsapp-messages';

/** A worker as its last heartbeat described it. */
export interface RegisteredWorker {
  workerId: string;
  driver: string;
  sessions: number;
  lastSeenAt: Date;
}

/** The most workers a readiness answer lists. */
const LISTED_WORKERS = 100;

/** The only place with SQL on `whatsapp_workers`: each worker's last heartbeat, on the database clock. */
@Injectable()
export class WhatsappWorkersRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(heartbeat: HeartbeatEvent): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO whatsapp_workers (worker_id, driver, sessions, last_seen_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (worker_id) DO UPDATE SET driver = EXCLUDED.driver, sessions = EXCLUDED.sessions, last_seen_at = now()`,
      [heartbeat.workerId, heartbeat.driver, heartbeat.sessions],
    );
  }

  /** True when `workerId` sent a heartbeat within the last `staleAfterMs`. */
  async isAlive(workerId: string, staleAfterMs: number): Promise<boolean> {
    const rows = await this.dataSource.query<{ alive: boolean }[]>(
      `SELECT last_seen_at > now() - make_interval(secs => $2::double precision / 1000) AS alive FROM whatsapp_workers WHERE worker_id = $1`,
      [workerId, staleAfterMs],
    );
    return rows[0]?.alive === true;
  }

  /** The workers heard from within the last `staleAfterMs`, by name. */
  alive(staleAfterMs: number): Promise<RegisteredWorker[]> {
    return this.dataSource.query<RegisteredWorker[]>(
      `SELECT worker_id AS "workerId", driver, sessions, last_seen_at AS "lastSeenAt" FROM whatsapp_workers
        WHERE last_seen_at > now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY worker_id LIMIT ${LISTED_WORKERS}`,
      [staleAfterMs],
    );
  }
}
