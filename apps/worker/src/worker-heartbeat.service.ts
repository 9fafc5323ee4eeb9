import { AppConfig } from '@app/config';
import { MessageBus } from '@app/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';

const HEARTBEAT_MS = 30_000;

/** A periodic line saying this worker is alive and whether it reaches the broker. */
@Injectable()
export class WorkerHeartbeat {
  private readonly logger = new Logger('Worker');
  private readonly startedAt = Date.now();

  constructor(
    private readonly config: AppConfig,
    private readonly bus: MessageBus,
  ) {}

  @Interval(HEARTBEAT_MS)
  beat(): void {
    const uptimeSeconds = Math.round((Date.now() - this.startedAt) / 1000);
    const line = { workerId: this.config.WORKER_ID, busConnected: this.bus.isConnected(), uptimeSeconds };
    if (line.busConnected) {
      this.logger.log(line, 'Worker heartbeat');
    } else {
      this.logger.warn(line, 'Worker heartbeat: the broker is not reachable, reconnecting');
    }
  }
}
