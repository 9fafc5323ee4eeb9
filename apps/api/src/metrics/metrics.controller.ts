import cluster from 'node:cluster';
import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { Public } from '../auth/guard';
import { clusterMetrics } from '../cluster/cluster-metrics';
import { errorExamplesResponse } from '../http/error-responses';
import { METRICS_SECURITY_SCHEME, MetricsTokenGuard } from './metrics-token.guard';

/**
 * `GET /metrics`: no user token (`@Public()` for the JWT guard); METRICS_TOKEN, when set, is the
 * scraper's bearer token (`MetricsTokenGuard`).
 */
@Public()
@UseGuards(MetricsTokenGuard)
@ApiTags('operations')
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics (text format), for the whole cluster.',
    description: 'Public unless METRICS_TOKEN is set: then only `Authorization: Bearer <METRICS_TOKEN>` is served.',
  })
  @ApiBearerAuth(METRICS_SECURITY_SCHEME)
  @ApiOkResponse({
    description: 'The Prometheus text exposition format.',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiUnauthorizedResponse(
    errorExamplesResponse(
      {
        missing: { value: { detail: 'Authentication credentials were not provided.', code: 'not_authenticated' } },
        wrong: { value: { detail: 'Incorrect authentication credentials.', code: 'authentication_failed' } },
      },
      { description: 'METRICS_TOKEN is set and the request does not carry it.' },
    ),
  )
  override async index(@Res({ passthrough: true }) response: unknown): Promise<string> {
    if (!cluster.isWorker) {
      return super.index(response);
    }
    // In a cluster, whichever process the scrape reaches answers for all of them.
    (response as { header(name: string, value: string): void }).header('Content-Type', register.contentType);
    return clusterMetrics();
  }
}
