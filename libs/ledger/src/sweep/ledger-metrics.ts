import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram, Metric, register } from 'prom-client';
import { SweepTrigger } from '../ledger.types';
import { ExpirySweepRepository } from './expiry-sweep.repository';

/** The registry is process-wide: reuse a metric when a second app is built in the same process (tests). */
function metric<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

/** Where the lag gauge reads from: the most recently started ledger module of this process. */
let lagSource: (() => Promise<number>) | undefined;

const tokensCreated = metric(
  'hourglass_exchange_tokens_created_total',
  () =>
    new Counter({
      name: 'hourglass_exchange_tokens_created_total',
      help: 'Exchange tokens created (points put on hold)',
    }),
);
const tokensRedeemed = metric(
  'hourglass_exchange_tokens_redeemed_total',
  () =>
    new Counter({
      name: 'hourglass_exchange_tokens_redeemed_total',
      help: 'Exchange tokens redeemed by a vendor (points captured)',
    }),
);
const tokensExpired = metric(
  'hourglass_exchange_tokens_expired_total',
  () =>
    new Counter({
      name: 'hourglass_exchange_tokens_expired_total',
      help: 'Expired exchange tokens released, by trigger',
      labelNames: ['trigger'],
    }),
);
const pointsRestored = metric(
  'hourglass_points_restored_total',
  () =>
    new Counter({
      name: 'hourglass_points_restored_total',
      help: 'Points returned to balances by expiry, by trigger',
      labelNames: ['trigger'],
    }),
);
const sweepDuration = metric(
  'hourglass_expiry_sweep_duration_seconds',
  () =>
    new Histogram({
      name: 'hourglass_expiry_sweep_duration_seconds',
      help: 'Duration of expiry sweeps, by trigger',
      labelNames: ['trigger'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    }),
);
metric(
  'hourglass_expiry_lag_seconds',
  () =>
    new Gauge({
      name: 'hourglass_expiry_lag_seconds',
      help: 'Age of the oldest expired exchange token not yet released (0 when none)',
      async collect() {
        this.set(lagSource === undefined ? 0 : await lagSource().catch(() => 0));
      },
    }),
);

/** Ledger counters on `/metrics`; the lag gauge is read from the database at scrape time. */
@Injectable()
export class LedgerMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly source = () => this.sweeps.expiryLagSeconds();

  constructor(private readonly sweeps: ExpirySweepRepository) {}

  onModuleInit(): void {
    lagSource = this.source;
  }

  onModuleDestroy(): void {
    if (lagSource === this.source) {
      lagSource = undefined;
    }
  }

  tokenCreated(): void {
    tokensCreated.inc();
  }

  tokenRedeemed(): void {
    tokensRedeemed.inc();
  }

  swept(trigger: SweepTrigger, tokens: number, points: number, durationMs: number): void {
    tokensExpired.inc({ trigger }, tokens);
    pointsRestored.inc({ trigger }, points);
    sweepDuration.observe({ trigger }, durationMs / 1000);
  }
}
