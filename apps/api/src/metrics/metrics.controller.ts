import cluster from 'node:cluster';
import { Controller, Get, Res } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { Public } from '../auth/guard';
import { clusterMetrics } from '../cluster/cluster-metrics';

/** `GET /metrics`, public like the library's controller: scrapers carry no token. */
@Public()
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  override async index(@Res({ passthrough: true }) response: unknown): Promise<string> {
    if (!cluster.isWorker) {
      return super.index(response);
    }
    // In a cluster, whichever process the scrape reaches answers for all of them.
    (response as { header(name: string, value: string): void }).header('Content-Type', register.contentType);
    return clusterMetrics();
  }
}
