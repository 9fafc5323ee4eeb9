/**
 * What the primary and the API processes of a cluster (`API_WORKERS` > 1) say to each other over
 * the IPC channel of `node:cluster`. Each type is prefixed: prom-client uses the same channel.
 */

/** Worker → primary: listening on `port`. */
export interface ReadyMessage {
  type: 'hourglass:api-ready';
  port: number;
}

/** Worker → primary: this process could not start, for `reason` (`startupFailureText`); it exits 1. */
export interface FailedMessage {
  type: 'hourglass:api-failed';
  reason: string;
}

/** Worker → primary: the metrics of the whole cluster, for a `GET /metrics` this worker serves. */
export interface MetricsRequest {
  type: 'hourglass:metrics-request';
  id: number;
}

/** Primary → worker: the answer to the request `id`, or why there is none. */
export interface MetricsResponse {
  type: 'hourglass:metrics-response';
  id: number;
  metrics?: string;
  error?: string;
}

export function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/** Worker → primary: a committed change every other process must hear before `id` is answered. */
export interface AnnounceRequest {
  type: 'hourglass:announce';
  id: number;
  channel: string;
  payload: string;
}

/** Primary → worker: hand this notification to your subscribers, then say `delivered`. */
export interface DeliverRequest {
  type: 'hourglass:deliver';
  id: number;
  channel: string;
  payload: string;
}

/** Worker → primary: the notification `id` has been handed to this process's subscribers. */
export interface Delivered {
  type: 'hourglass:delivered';
  id: number;
}

/** Primary → worker: every other process has heard the announcement `id`. */
export interface Announced {
  type: 'hourglass:announced';
  id: number;
}
