import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Metric, register } from 'prom-client';
import { WebhooksRepository } from './webhooks.repository';

/** The registry is process-wide: reuse a metric when a second app is built in the same process (tests). */
function metric<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

/** Where the gauge reads from: the most recently started webhooks module of this process. */
let pendingSource: (() => Promise<number>) | undefined;

/** Attempts by outcome: `delivered`, `retry` (failed, another attempt is scheduled), `failed` (given up). */
export const webhookAttempts = metric<Counter<'outcome'>>(
  'hourglass_webhook_attempts_total',
  () =>
    new Counter({
      name: 'hourglass_webhook_attempts_total',
      help: 'Webhook delivery attempts, by outcome: delivered, retry (another attempt is scheduled), failed (retry window over)',
      labelNames: ['outcome'],
    }),
);

metric(
  'hourglass_webhook_deliveries_pending',
  () =>
    new Gauge({
      name: 'hourglass_webhook_deliveries_pending',
      help: 'Webhook deliveries not yet delivered nor given up',
      async collect() {
        this.set(pendingSource === undefined ? 0 : await pendingSource().catch(() => 0));
      },
    }),
);

/** Points the pending gauge (read from the database at scrape time) at this module's repository. */
@Injectable()
export class WebhooksMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly source = () => this.repository.countPending();

  constructor(private readonly repository: WebhooksRepository) {}

  onModuleInit(): void {
    pendingSource = this.source;
  }

  onModuleDestroy(): void {
    if (pendingSource === this.source) {
      pendingSource = undefined;
    }
  }
}
