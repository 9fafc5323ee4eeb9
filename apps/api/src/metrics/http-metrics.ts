import { Histogram, register } from 'prom-client';
import { RequestEndHook } from '../http/request-end';

const NAME = 'http_request_duration_seconds';

/**
 * One histogram of answered requests' durations by method, route template and status (not raw
 * URL: bounded labels). Run by `onRequestEnd` (create-api-app.ts), so it sees every request,
 * unrouted ones included.
 */
export function httpMetrics(): RequestEndHook {
  // The registry is process-wide; reuse the metric when a second app is built in the same process (tests).
  const histogram =
    (register.getSingleMetric(NAME) as Histogram<'method' | 'route' | 'status'> | undefined) ??
    new Histogram({
      name: NAME,
      help: 'Duration of HTTP requests in seconds',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
  return (request, response, ms) => {
    if (!response.writableFinished) {
      return; // the client left before the answer
    }
    const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
    histogram.observe({ method: request.method, route, status: String(response.statusCode) }, ms / 1000);
  };
}
