import { AggregatorRegistry } from 'prom-client';
import { MetricsRequest, MetricsResponse, isMessage } from './cluster-messages';

/** prom-client's own time limit for the primary's collection is 5 s; wait a little longer for its answer. */
const ANSWER_TIMEOUT_MS = 6_000;

const pending = new Map<number, { resolve: (metrics: string) => void; reject: (error: Error) => void }>();
let nextId = 0;
let joined = false;

/**
 * In an API process of a cluster: answers the primary's collections (prom-client listens once an
 * `AggregatorRegistry` exists) and takes the answers to `clusterMetrics()`. Called once at start.
 */
export function joinClusterMetrics(): void {
  if (joined) {
    return;
  }
  joined = true;
  new AggregatorRegistry();
  process.on('message', (message: unknown) => {
    if (!isMessage<MetricsResponse>(message, 'hourglass:metrics-response')) {
      return;
    }
    const request = pending.get(message.id);
    pending.delete(message.id);
    if (message.metrics !== undefined) {
      request?.resolve(message.metrics);
    } else {
      request?.reject(new Error(`The cluster's metrics could not be collected: ${message.error}`));
    }
  });
}

/**
 * `GET /metrics` in a cluster: a scrape reaches one process at random, so it answers for all of
 * them — counters and histograms summed by the primary, process_* metrics one series per `pid`.
 */
export function clusterMetrics(): Promise<string> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error("The cluster primary did not answer with the cluster's metrics"));
    }, ANSWER_TIMEOUT_MS);
    pending.set(id, {
      resolve: (metrics) => (clearTimeout(timer), resolve(metrics)),
      reject: (error) => (clearTimeout(timer), reject(error)),
    });
    const request: MetricsRequest = { type: 'hourglass:metrics-request', id };
    process.send?.(request);
  });
}
