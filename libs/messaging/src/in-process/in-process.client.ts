import { BusClient } from '../bus.client';
import { InProcessBroker } from './in-process-broker.service';

/** Publishes into the application's `InProcessBroker`; always "connected" until closed. */
export class InProcessClient extends BusClient {
  private closed = false;

  constructor(private readonly broker: InProcessBroker) {
    super();
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  isConnected(): boolean {
    return !this.closed;
  }

  deliver(queue: string, body: Record<string, unknown>): Promise<void> {
    if (this.closed) {
      return Promise.reject(new Error('The message bus is closed'));
    }
    try {
      this.broker.publish(queue, body);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  close(): Promise<void> {
    this.closed = true;
    this._status$.next('disconnected');
    return Promise.resolve();
  }

  unwrap<T>(): T {
    return this.broker as T;
  }
}
