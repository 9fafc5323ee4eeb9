import { AppConfig } from '@app/config';
import { MessageBus, WORKER_EVENTS_QUEUE } from '@app/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { SessionManager } from '../session/session-manager.service';
import { HeartbeatEvent } from '../whatsapp-messages';

/**
 * Says this worker is alive: a `heartbeat` event on `whatsapp.worker.events` (the API routes
 * commands away from a worker silent for 3 of them), and a log line saying whether the broker is
 * reachable. WorkerHeartbeatCron decides when.
 */
@Injectable()
export class WorkerHeartbeat {
  private readonly logger = new Logger('Worker');
  private readonly startedAt = Date.now();

  constructor(
    private readonly config: AppConfig,
    private readonly bus: MessageBus,
    private readonly sessions: SessionManager,
  ) {}

  /** Publishes one heartbeat; during a broker outage it waits for the broker like any publish. */
  async announce(): Promise<void> {
    const heartbeat: HeartbeatEvent = {
      action: 'heartbeat',
      workerId: this.config.WORKER_ID,
      driver: this.config.whatsappDriver,
      sessions: this.sessions.sessionCount,
      timestamp: Date.now(),
    };
    await this.bus.publish(WORKER_EVENTS_QUEUE, { ...heartbeat });
  }

  logStatus(): void {
    const uptimeSeconds = Math.round((Date.now() - this.startedAt) / 1000);
    const line = {
      workerId: this.config.WORKER_ID,
      busConnected: this.bus.isConnected(),
      uptimeSeconds,
      sessions: this.sessions.sessionCount,
    };
    if (line.busConnected) {
      this.logger.log(line, 'Worker heartbeat');
    } else {
      this.logger.warn(line, 'Worker heartbeat: the broker is not reachable, reconnecting');
    }
  }
}
