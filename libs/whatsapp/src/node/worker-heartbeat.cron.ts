import { AppConfig } from '@app/config';
import { JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { WorkerHeartbeat } from './worker-heartbeat.service';

export const WORKER_HEARTBEAT_JOB = 'whatsapp-worker-heartbeat';
export const WORKER_STATUS_LOG_JOB = 'whatsapp-worker-status-log';
const STATUS_LOG_EVERY_MS = 30_000;

/**
 * Every node runs both jobs: a heartbeat every WHATSAPP_HEARTBEAT_INTERVAL from boot on, and a
 * status log line every 30 s. One heartbeat at a time: during an outage a publish waits, and the
 * beats behind it are skipped rather than piled up; a lost beat is a warning (the readiness
 * check reports the outage), and shutdown does not wait for one.
 */
@Injectable()
export class WorkerHeartbeatCron implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobScheduler,
    private readonly heartbeat: WorkerHeartbeat,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule({
      name: WORKER_HEARTBEAT_JOB,
      schedule: { everyMs: this.config.WHATSAPP_HEARTBEAT_INTERVAL },
      replicas: 'every-process',
      runAtStart: true,
      finishBeforeShutdown: false,
      failureLevel: 'warn',
      run: () => this.heartbeat.announce(),
    });
    this.jobs.schedule({
      name: WORKER_STATUS_LOG_JOB,
      schedule: { everyMs: STATUS_LOG_EVERY_MS },
      replicas: 'every-process',
      run: () => this.heartbeat.logStatus(),
    });
  }
}
