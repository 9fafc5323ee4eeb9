import { AppConfig } from '@app/config';

/** Knobs of `MessagingModule.forRoot()` that are not environment variables. */
export interface MessagingOptions {
  /** Seconds between two connection attempts after the broker went away (default 2). */
  reconnectSeconds?: number;
  /** AMQP heartbeat in seconds, so a dead peer is noticed (default 5). */
  heartbeatSeconds?: number;
  /** How long `publish` waits for the broker's confirm, buffering through outages (default 30 s). */
  publishTimeoutMs?: number;
  /** How long `close()` waits for in-flight handlers and publishes (default 10 s). */
  closeTimeoutMs?: number;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

/** Everything a transport needs, resolved once from AppConfig and the module options. */
export interface BusSettings {
  /** Undefined → in-process bus. */
  url: string | undefined;
  prefetch: number;
  heartbeatSeconds: number;
  reconnectSeconds: number;
  publishTimeoutMs: number;
  closeTimeoutMs: number;
  /** Shown in the RabbitMQ management UI, so an operator can tell workers apart. */
  connectionName: string;
}

export function resolveBusSettings(config: AppConfig, options: MessagingOptions): BusSettings {
  return {
    url: config.AMQP_URL,
    prefetch: config.AMQP_PREFETCH,
    heartbeatSeconds: options.heartbeatSeconds ?? 5,
    reconnectSeconds: options.reconnectSeconds ?? 2,
    publishTimeoutMs: options.publishTimeoutMs ?? 30_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
    connectionName: `hourglass ${config.WORKER_ID} pid ${process.pid}`,
  };
}
