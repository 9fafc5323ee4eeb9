/** When a job runs: a six-field cron expression (seconds first), or a fixed period in milliseconds. */
export type JobSchedule = { cron: string } | { everyMs: number };

/**
 * Which processes run a tick:
 * - `every-process`: each process that hosts the job (a worker's heartbeat; a poll whose service
 *   claims its own work);
 * - `one-at-a-time`: one replica at a time across the cluster (`Database.runExclusive`);
 * - `one-per-tick`: one at a time, and each tick of the database clock (a second) on one replica
 *   only (`runExclusive` + `Database.claimTick`), so a replica whose timer fires late skips it.
 */
export type JobReplicas = 'every-process' | 'one-at-a-time' | 'one-per-tick';

/** What a run is given: the tick it claimed (`one-per-tick` jobs only). */
export interface JobRun {
  tick?: Date;
}

/** A periodic job, as a `*.cron.ts` adapter hands it to `JobScheduler.schedule`. */
export interface ScheduledJob {
  /** Kebab-case; names the job in SchedulerRegistry, its lock, its tick claims, logs and metrics. */
  name: string;
  schedule: JobSchedule;
  replicas: JobReplicas;
  /**
   * One run: calls one lib service. May return a line saying what it did, which is logged; a
   * throw is logged and swallowed (the next tick tries again).
   */
  run(run: JobRun): Promise<string | void> | string | void;
  /** Also run once as soon as the job is scheduled (at application bootstrap). Default false. */
  runAtStart?: boolean;
  /**
   * Shutdown waits for a run in flight before the database closes. Default true; false for a job
   * that may wait on something down (a publish during a broker outage) and must not hold shutdown.
   */
  finishBeforeShutdown?: boolean;
  /** Level of the failure line; `warn` where failures are expected (a broker outage). Default `error`. */
  failureLevel?: 'error' | 'warn';
}
