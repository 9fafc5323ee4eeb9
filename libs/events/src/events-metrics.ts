import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Metric, register } from 'prom-client';
import { OutboxBacklog, OutboxRepository } from './outbox.repository';

/** The registry is process-wide: reuse a metric when a second app is built in the same process (tests). */
function metric<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

/** Where the gauges read from: the most recently started events module of this process. */
let backlogSource: (() => Promise<OutboxBacklog>) | undefined;

async function readBacklog(): Promise<OutboxBacklog> {
  const none = { unsent: 0, oldestAgeSeconds: 0 };
  return backlogSource === undefined ? none : await backlogSource().catch(() => none);
}

export const eventsPublished = metric(
  'hourglass_events_published_total',
  () =>
    new Counter({
      name: 'hourglass_events_published_total',
      help: 'Domain events the outbox relay published and had confirmed',
    }),
);
metric(
  'hourglass_outbox_backlog_events',
  () =>
    new Gauge({
      name: 'hourglass_outbox_backlog_events',
      help: 'Domain events in the outbox not yet published',
      async collect() {
        this.set((await readBacklog()).unsent);
      },
    }),
);
metric(
  'hourglass_outbox_oldest_unsent_age_seconds',
  () =>
    new Gauge({
      name: 'hourglass_outbox_oldest_unsent_age_seconds',
      help: 'Age of the oldest domain event not yet published (0 when none)',
      async collect() {
        this.set((await readBacklog()).oldestAgeSeconds);
      },
    }),
);

/** Points the outbox gauges (read from the database at scrape time) at this module's repository. */
@Injectable()
export class EventsMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly source = () => this.outbox.backlog();

  constructor(private readonly outbox: OutboxRepository) {}

  onModuleInit(): void {
    backlogSource = this.source;
  }

  onModuleDestroy(): void {
    if (backlogSource === this.source) {
      backlogSource = undefined;
    }
  }
}
