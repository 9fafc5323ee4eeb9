import { AppConfig } from '@app/config';
import { MessageBus, WORKER_EVENTS_QUEUE } from '@app/messaging';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { SessionManager } from '../session/session-manager.service';
import { HeartbeatEvent } from '../whatsapp-messages';

const LOG_EVERY_MS = 30_000;

/**
 * Says this worker is alive: a `heartbeat` event on `whatsapp.worker.events` every
 * WHATSAPP_HEARTBEAT_INTERVAL (the API routes commands away from a worker silent for 3 of them),
 * and a log line every 30 s saying whether the broker is reachable.
 */
@Injectable()
export class WorkerHeartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private sending = false;

  constructor(
    private readonly config: AppConfig,
    private readonly bus: MessageBus,
    private readonly sessions: SessionManager,
  ) {}

  onApplicationBootstrap(): void {
    void this.announce();
    this.timer = setInterval(() => void this.announce(), this.config.WHATSAPP_HEARTBEAT_INTERVAL);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  @Interval(LOG_EVERY_MS)
  beat(): void {
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

  /** One heartbeat at a time: during an outage `publish` waits, and beats must not pile up behind it. */
  private async announce(): Promise<void> {
    if (this.sending) {
      return;
    }
    this.sending = true;
    const heartbeat: HeartbeatEvent = {
      action: 'heartbeat',
      workerId: this.config.WORKER_ID,
      driver: this.config.whatsappDriver,
      sessions: this.sessions.sessionCount,
      timestamp: Date.now(),
    };
    try {
      await this.bus.publish(WORKER_EVENTS_QUEUE, { ...heartbeat });
    } catch (error) {
      this.logger.warn(`Could not send the heartbeat: ${String(error)}`);
    } finally {
      this.sending = false;
    }
  }
}
