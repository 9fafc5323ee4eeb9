import { Database } from '../src/database.service';
import { JobScheduler } from '../src/jobs/job-scheduler.service';
import { ScheduledJob } from '../src/jobs/scheduled-job';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Histogram, register } from 'prom-client';

const REPLICAS = 4;
/** Jobs here never fire by themselves within a test: the specs drive every tick with `run`. */
const NEVER = { cron: '0 0 0 1 1 *' };

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

async function tickCount(job: string, outcome: string): Promise<number> {
  const histogram = register.getSingleMetric('hourglass_scheduled_job_duration_seconds') as Histogram;
  const values = (await histogram.get()).values;
  const count = values.find(
    (value) =>
      value.metricName === 'hourglass_scheduled_job_duration_seconds_count' &&
      value.labels.job === job &&
      value.labels.outcome === outcome,
  );
  return count?.value ?? 0;
}

describe.each(databaseTargets())(`${JobScheduler.name} on the %s database`, (target: DatabaseTarget) => {
  let testDatabase: TestDatabase;
  let apps: INestApplicationContext[] = [];
  /** One scheduler per replica; on a server each has its own Database (DataSource, connections). */
  let replicas: JobScheduler[];

  beforeAll(async () => {
    testDatabase = await createTestDatabase(target);
    const first = await createDatabaseTestApp({ env: testDatabase.env, migrate: true });
    // Embedded, one process owns the database: the replicas are schedulers of that process.
    const others =
      target === 'postgres'
        ? await Promise.all(
            Array.from({ length: REPLICAS - 1 }, () =>
              createDatabaseTestApp({ env: testDatabase.env, migrate: false }),
            ),
          )
        : [];
    apps = [first, ...others];
    replicas = Array.from(
      { length: REPLICAS },
      (_, i) => new JobScheduler(new SchedulerRegistry(), apps[i % apps.length].get(Database)),
    );
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await Promise.all(replicas?.map((scheduler) => scheduler.beforeApplicationShutdown()) ?? []);
    await Promise.all(apps.map((app) => app.close()));
    await testDatabase?.cleanup();
  });

  /** Job names carry the target: the metric registry is process-wide and both targets run in one process. */
  const named = (job: string) => `${job}-${target}`;

  function scheduleEverywhere(job: Omit<ScheduledJob, 'schedule'>): void {
    replicas.forEach((scheduler) => scheduler.schedule({ ...job, schedule: NEVER }));
  }

  it('logs a failed run in one line with the job name, counts it, and keeps scheduling', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const failure = new Error('the service is down');
    let calls = 0;
    replicas[0].schedule({
      name: named('test-fails'),
      schedule: NEVER,
      replicas: 'one-at-a-time',
      run: () => {
        calls++;
        return Promise.reject(failure);
      },
    });
    await expect(replicas[0].run(named('test-fails'))).resolves.toBeUndefined();
    await expect(replicas[0].run(named('test-fails'))).resolves.toBeUndefined();
    expect(calls).toBe(2);
    expect(logged).toHaveBeenCalledWith(
      { err: failure, job: named('test-fails') },
      `Job ${named('test-fails')} failed`,
    );
    expect(await tickCount(named('test-fails'), 'failed')).toBe(2);
  });

  it('logs the line a run returns', async () => {
    const logged = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    replicas[0].schedule({
      name: named('test-says'),
      schedule: NEVER,
      replicas: 'every-process',
      run: () => 'Purged 3 rows',
    });
    await replicas[0].run(named('test-says'));
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ job: named('test-says') }), 'Purged 3 rows');
    expect(await tickCount(named('test-says'), 'succeeded')).toBe(1);
  });

  it('runs a one-at-a-time job on one replica while the others skip the tick', async () => {
    const holding = gate();
    let running = 0;
    scheduleEverywhere({
      name: named('test-exclusive'),
      replicas: 'one-at-a-time',
      run: async () => {
        running++;
        await holding.opened;
      },
    });
    const first = replicas[0].run(named('test-exclusive'));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the first replica holds the lock
    await Promise.all(replicas.slice(1).map((scheduler) => scheduler.run(named('test-exclusive'))));
    expect(running).toBe(1);
    expect(await tickCount(named('test-exclusive'), 'skipped')).toBe(REPLICAS - 1);
    holding.open();
    await first;
  });

  it('gives each tick of a one-per-tick job to exactly one replica', async () => {
    const ticks: Date[] = [];
    scheduleEverywhere({
      name: named('test-per-tick'),
      replicas: 'one-per-tick',
      run: ({ tick }) => {
        ticks.push(tick as Date);
      },
    });
    for (let round = 0; round < 3; round++) {
      await Promise.all(replicas.map((scheduler) => scheduler.run(named('test-per-tick'))));
      await new Promise((resolve) => setTimeout(resolve, 1_050));
    }
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.every((tick) => tick instanceof Date && tick.getMilliseconds() === 0)).toBe(true);
    expect(new Set(ticks.map((tick) => tick.getTime())).size).toBe(ticks.length);
  });

  it('joins a run in flight in this process instead of starting a second one', async () => {
    const holding = gate();
    let calls = 0;
    replicas[1].schedule({
      name: named('test-join'),
      schedule: NEVER,
      replicas: 'every-process',
      run: async () => {
        calls++;
        await holding.opened;
      },
    });
    const first = replicas[1].run(named('test-join'));
    const second = replicas[1].run(named('test-join'));
    holding.open();
    await Promise.all([first, second]);
    expect(calls).toBe(1);
  });

  it('stops the timers at shutdown and lets a run in flight finish first', async () => {
    const scheduler = new JobScheduler(new SchedulerRegistry(), apps[0].get(Database));
    const holding = gate();
    let finished = false;
    scheduler.schedule({
      name: named('test-shutdown'),
      schedule: { everyMs: 3_600_000 },
      replicas: 'one-at-a-time',
      run: async () => {
        await holding.opened;
        finished = true;
      },
    });
    scheduler.schedule({
      name: named('test-abandoned'),
      schedule: { everyMs: 3_600_000 },
      replicas: 'every-process',
      finishBeforeShutdown: false,
      run: () => new Promise<void>(() => undefined), // a publish waiting out a broker outage
    });
    void scheduler.run(named('test-shutdown'));
    void scheduler.run(named('test-abandoned'));
    let shutDown = false;
    const shutdown = scheduler.beforeApplicationShutdown().then(() => (shutDown = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(shutDown).toBe(false);
    holding.open();
    await shutdown;
    expect(finished).toBe(true);
  });
});
