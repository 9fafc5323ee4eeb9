import { Injectable, Logger } from '@nestjs/common';
import { CloudEvent } from './cloud-event';

export type DomainEventListener = (event: CloudEvent) => void;

/**
 * The in-process side of `hourglass.events`, the one place live streams subscribe: without
 * RabbitMQ (AMQP_URL unset) the relay hands each published event to this process's listeners; with
 * it, `AmqpEventFollower` does, from this process's own queue. Nothing is kept for a listener that is not
 * subscribed, as a topic exchange with no bound queue keeps nothing.
 */
@Injectable()
export class LocalEventStream {
  private readonly logger = new Logger(LocalEventStream.name);
  private readonly listeners = new Set<DomainEventListener>();

  /** Returns the unsubscribe function. */
  subscribe(listener: DomainEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether anything listens now (a follower need not decode an event nobody would hear). */
  hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  publish(event: CloudEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // One failing listener must not stop the others, nor the relay.
        this.logger.warn(`A domain event listener failed on ${event.type}: ${(error as Error).message}`);
      }
    }
  }
}
