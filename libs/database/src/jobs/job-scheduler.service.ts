import { BeforeApplicationShutdown, Injectable, Logger, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { Database } from '../database.service';
import { JobOutcome, observeJobTick } from './job-metrics';
import { ScheduledJob } from './scheduled-job';

interface ScheduledEntry {
  job: ScheduledJob;
  /** Stops the timer and takes the job out of SchedulerRegistry. */
  stop: () => void;
  /** The run in flight in this process, if any. */
  running?: Promise<void>;
}

type RunResult = { ran: true; line?: string } | { ran: false };

/**
 * The one way to run periodic work. Every job is registered in SchedulerRegistry (a cron job or
 * an interval, fixed or from config alike) and every tick goes through the same path: at most one
 * run per job in this process, the job's replica rule (`runExclusive`, `claimTick`), one log
 * shape, and `hourglass_scheduled_job_duration_seconds{job,outcome}`. At shutdown the timers stop
 * and the runs in flight finish before the database closes.
 *
 * Needs `ScheduleModule.forRoot()` in the root module; the Database only for one-replica jobs (a
 * simulator worker has none).
 */
@Injectable()
export class JobScheduler implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly jobs = new Map<string, ScheduledEntry>();
  private stopping = false;

  constructor(
    private readonly registry: SchedulerRegistry,
    @Optional() private readonly database?: Database,
  ) {}

  /** Registers `job` and starts its timer; call it from an adapter's `onApplicationBootstrap`. */
  schedule(job: ScheduledJob): void {
    if (this.jobs.has(job.name)) {
      throw new Error(`The job "${job.name}" is already scheduled`);
    }
    if (job.replicas !== 'every-process' && this.database === undefined) {
      throw new Error(`The job "${job.name}" runs on one replica at a time: it needs DatabaseModule`);
    }
    const tick = () => void this.run(job.name);
    const entry: ScheduledEntry = { job, stop: () => undefined };
    if ('cron' in job.schedule) {
      const cron = CronJob.from({ cronTime: job.schedule.cron, onTick: tick, start: false });
      this.registry.addCronJob(job.name, cron);
      entry.stop = () => {
        void cron.stop();
        // ScheduleModule may have taken it out already at shutdown (or a test, to drive ticks itself).
        if (this.registry.doesExist('cron', job.name)) {
          this.registry.deleteCronJob(job.name);
        }
      };
      cron.start();
    } else {
      const interval = setInterval(tick, job.schedule.everyMs);
      this.registry.addInterval(job.name, interval);
      entry.stop = () => {
        clearInterval(interval);
        if (this.registry.doesExist('interval', job.name)) {
          this.registry.deleteInterval(job.name);
        }
      };
    }
    this.jobs.set(job.name, entry);
    if (job.runAtStart === true) {
      tick();
    }
  }

  /**
   * One tick of `name` now, exactly as its timer runs it (tests and adapters use it). Resolves
   * when the tick is over and never rejects: a failure is logged. A run already in flight in this
   * process is joined rather than doubled.
   */
  run(name: string): Promise<void> {
    const entry = this.jobs.get(name);
    if (entry === undefined) {
      return Promise.reject(new Error(`No job named "${name}" is scheduled`));
    }
    if (entry.running !== undefined) {
      observeJobTick(name, 'skipped', 0);
      return entry.running;
    }
    if (this.stopping) {
      return Promise.resolve();
    }
    const running = this.tick(entry.job).finally(() => (entry.running = undefined));
    entry.running = running;
    return running;
  }

  /** Stops every timer, then waits for the runs in flight (those that hold shutdown) to finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const entries = [...this.jobs.values()];
    entries.forEach((entry) => entry.stop());
    const holding = entries.filter((entry) => entry.job.finishBeforeShutdown !== false);
    await Promise.all(holding.map((entry) => entry.running ?? Promise.resolve()));
  }

  private async tick(job: ScheduledJob): Promise<void> {
    const startedAt = performance.now();
    const seconds = () => (performance.now() - startedAt) / 1000;
    let outcome: JobOutcome;
    try {
      const result = await this.runOnReplicas(job);
      outcome = result.ran ? 'succeeded' : 'skipped';
      if (result.ran && result.line !== undefined) {
        this.logger.log({ job: job.name, durationMs: Math.round(seconds() * 1000) }, result.line);
      }
    } catch (error) {
      outcome = 'failed';
      this.logger[job.failureLevel ?? 'error']({ err: error, job: job.name }, `Job ${job.name} failed`);
    }
    observeJobTick(job.name, outcome, seconds());
  }

  private async runOnReplicas(job: ScheduledJob): Promise<RunResult> {
    const database = this.database;
    if (job.replicas === 'every-process' || database === undefined) {
      return { ran: true, line: (await job.run({})) ?? undefined };
    }
    const outcome = await database.runExclusive(job.name, async (): Promise<RunResult> => {
      if (job.replicas === 'one-at-a-time') {
        return { ran: true, line: (await job.run({})) ?? undefined };
      }
      // Another replica whose timer fired a moment earlier may already have run this tick.
      const tick = await database.claimTick(job.name);
      return tick === undefined ? { ran: false } : { ran: true, line: (await job.run({ tick })) ?? undefined };
    });
    return outcome.ran ? outcome.result : { ran: false };
  }
}
