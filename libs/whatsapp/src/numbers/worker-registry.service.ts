import { AppConfig } from '@app/config';
import { Injectable, Logger } from '@nestjs/common';
import { HeartbeatEvent } from '../whatsapp-messages';
import { RegisteredWorker, WhatsappWorkersRepository } from './whatsapp-workers.repository';

/** A worker silent for this many heartbeat intervals is taken for gone. */
const STALE_HEARTBEATS = 3;

/** What readiness says about the WhatsApp workers, as this API process sees them. */
export interface WorkerDriverReport {
  /** This process's driver: WHATSAPP_DRIVER, or its default. */
  driver: 'baileys' | 'simulator';
  /** The workers heard from within 3 heartbeat intervals. */
  workers: RegisteredWorker[];
  /** Set when something needs the operator: a live worker runs another driver, or no worker is live. */
  problem?: string;
}

/**
 * The registry of WhatsApp workers, fed by their heartbeats (each names its driver): which worker
 * is alive, for routing commands, and whether the workers run the driver this API expects. An API
 * that thinks `simulator` (simulated scans allowed) in front of a `baileys` worker, or the other
 * way round, fails in confusing ways; a mismatch is logged once per worker and driver, and shown
 * by readiness.
 */
@Injectable()
export class WorkerRegistry {
  private readonly logger = new Logger('WhatsApp');
  /** The driver each worker was last warned about, so a mismatch is one line, not one per heartbeat. */
  private readonly warned = new Map<string, string>();

  constructor(
    private readonly workers: WhatsappWorkersRepository,
    private readonly config: AppConfig,
  ) {}

  /** A heartbeat from `whatsapp.worker.events`. */
  async record(heartbeat: HeartbeatEvent): Promise<void> {
    await this.workers.record(heartbeat);
    if (heartbeat.driver === this.config.whatsappDriver) {
      this.warned.delete(heartbeat.workerId);
    } else if (this.warned.get(heartbeat.workerId) !== heartbeat.driver) {
      this.warned.set(heartbeat.workerId, heartbeat.driver);
      this.logger.warn(driverMismatch([heartbeat.workerId], heartbeat.driver, this.config.whatsappDriver));
    }
  }

  /** True while `workerId`'s heartbeat is fresh. */
  isAlive(workerId: string): Promise<boolean> {
    return this.workers.isAlive(workerId, this.staleAfterMs);
  }

  /** The live workers and whether they agree with this process about the driver. */
  async driverReport(): Promise<WorkerDriverReport> {
    const driver = this.config.whatsappDriver;
    const workers = await this.workers.alive(this.staleAfterMs);
    const others = workers.filter((worker) => worker.driver !== driver);
    if (others.length > 0) {
      const ids = others.map((worker) => worker.workerId);
      return { driver, workers, problem: driverMismatch(ids, others[0].driver, driver) };
    }
    if (workers.length === 0) {
      const seconds = Math.round(this.staleAfterMs / 1000);
      return {
        driver,
        workers,
        problem: `No WhatsApp worker has sent a heartbeat in the last ${seconds} s: validations wait until one runs.`,
      };
    }
    return { driver, workers };
  }

  private get staleAfterMs(): number {
    return STALE_HEARTBEATS * this.config.WHATSAPP_HEARTBEAT_INTERVAL;
  }
}

function driverMismatch(workerIds: string[], workerDriver: string, apiDriver: string): string {
  const who = workerIds.length === 1 ? `Worker ${workerIds[0]} runs` : `Workers ${workerIds.join(', ')} run`;
  return `${who} the ${workerDriver} WhatsApp driver but this API runs ${apiDriver}: set the same WHATSAPP_DRIVER on the API and every worker (unset, it is simulator with the in-process bus and baileys with RabbitMQ).`;
}
