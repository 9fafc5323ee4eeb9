import { Histogram, register } from 'prom-client';

/** How a tick ended: it ran and succeeded or failed, or it was skipped (another run or replica had it). */
export type JobOutcome = 'succeeded' | 'failed' | 'skipped';

const NAME = 'hourglass_scheduled_job_duration_seconds';

// The registry is process-wide: reuse the metric when a second app is built in the same process (tests).
const duration =
  (register.getSingleMetric(NAME) as Histogram<'job' | 'outcome'> | undefined) ??
  new Histogram({
    name: NAME,
    help: 'Duration of scheduled job ticks, by job and outcome (succeeded, failed, skipped); _count counts the ticks',
    labelNames: ['job', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
  });

export function observeJobTick(job: string, outcome: JobOutcome, seconds: number): void {
  duration.observe({ job, outcome }, seconds);
}
