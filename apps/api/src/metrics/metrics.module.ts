import cluster from 'node:cluster';
import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { MetricsController } from './metrics.controller';

/**
 * `GET /metrics` in Prometheus text format: process metrics plus HTTP request durations (recorded
 * by `httpMetrics()`, mounted where the app is built), of every process of a cluster.
 */
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      // Default metrics live in the process-wide registry: collect them once per process. In a
      // cluster, /metrics aggregates every process: these keep one series per process (`pid`).
      defaultMetrics: {
        enabled: register.getSingleMetric('process_cpu_user_seconds_total') === undefined,
        config: cluster.isWorker ? { labels: { pid: String(process.pid) } } : {},
      },
    }),
  ],
})
export class MetricsModule {}
