import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerRegistry } from '@app/whatsapp';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

/** As the database ping's: during an outage, readiness answers in this time, not the pool's connect timeout. */
const TIMEOUT_MS = 2000;
const UNREADABLE = 'The WhatsApp worker registry could not be read.';

/**
 * The WhatsApp workers as this API sees them: its driver, the live workers and theirs. A worker
 * on another driver, or no live worker, is reported (`degraded: true` and a `message`) but never
 * makes readiness fail: the API itself serves, and a load balancer must not take it out for a
 * worker's configuration.
 */
@Injectable()
export class WhatsappHealthIndicator {
  constructor(
    private readonly workers: WorkerRegistry,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'whatsapp') {
    const indicator = this.indicators.check(key);
    const timeout = new AbortController();
    try {
      const report = await Promise.race([
        this.workers.driverReport(),
        sleep(TIMEOUT_MS, undefined, { signal: timeout.signal }),
      ]);
      if (report === undefined) {
        return indicator.up({ degraded: true, message: UNREADABLE });
      }
      const { driver, workers, problem } = report;
      const listed = workers.map(({ workerId, driver: workerDriver, sessions, lastSeenAt }) => ({
        workerId,
        driver: workerDriver,
        sessions,
        lastSeenAt: lastSeenAt.toISOString(),
      }));
      return problem === undefined
        ? indicator.up({ driver, workers: listed })
        : indicator.up({ driver, workers: listed, degraded: true, message: problem });
    } catch {
      // The database check reports an outage; this one only says it could not look.
      return indicator.up({ degraded: true, message: UNREADABLE });
    } finally {
      timeout.abort();
    }
  }
}
