import { Injectable, NestMiddleware } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { Histogram, register } from 'prom-client';

const NAME = 'http_request_duration_seconds';

/** One histogram of request durations by method, route template and status (not raw URL: bounded labels). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  // The registry is process-wide; reuse the metric when a second app is built in the same process (tests).
  private readonly histogram =
    (register.getSingleMetric(NAME) as Histogram<'method' | 'route' | 'status'> | undefined) ??
    new Histogram({
      name: NAME,
      help: 'Duration of HTTP requests in seconds',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });

  use(req: Request, res: Response, next: NextFunction): void {
    const stop = this.histogram.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      stop({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  }
}
