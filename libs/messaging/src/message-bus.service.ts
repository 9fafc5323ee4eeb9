import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { BusClient } from './bus.client';

export const BUS_CLIENT = Symbol('BUS_CLIENT');

/**
 * Publishes plain JSON bodies to bus queues, over RabbitMQ (AMQP_URL set) or in-process.
 * `publish` resolves once the message is safe: confirmed by the broker, or queued in-process.
 * Closed on application shutdown, after the app's bus servers (so draining handlers can still publish).
 */
@Injectable()
export class MessageBus implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(BUS_CLIENT) private readonly client: BusClient) {}

  onModuleInit(): Promise<void> {
    return this.client.connect();
  }

  /** Sends `body` verbatim (no envelope) to `queue`, e.g. `{ action: 'validate_number', data, timestamp }`. */
  publish(queue: string, body: Record<string, unknown>): Promise<void> {
    return this.client.deliver(queue, body);
  }

  /** For the readiness check: false while the broker connection is down (publishes then wait). */
  isConnected(): boolean {
    return this.client.isConnected();
  }

  onApplicationShutdown(): Promise<void> {
    return this.client.close();
  }
}
