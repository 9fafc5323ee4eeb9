import { Injectable, Logger } from '@nestjs/common';
import { CloudEvent } from './cloud-event';

export type DomainEventListener = (event: CloudEvent) => void;

interface Subscription {
  listener: DomainEventListener;
  onGap?: () => void;
}

/**
 * The in-process side of `hourglass.events`, the one place live streams subscribe: without
 * RabbitMQ (AMQP_URL unset) the relay hands each published event to this process's listeners; with
 * it, `AmqpEventFollower` does, from this process's own queue. Nothing is kept for a listener that is not
 * subscribed, as a topic exchange with no bound queue keeps nothing.
 */
@Injectable()
export class LocalEventStream {
  private readonly logger = new Logger(LocalEventStream.name);
  private readonly subscriptions = new Set<Subscription>();
  /**
   * Whether this process hears `hourglass.events` now: always embedded (the relay publishes here);
   * with RabbitMQ, only while `AmqpEventFollower` has its queue bound.
   */
  private following = true;

  /**
   * Returns the unsubscribe function. `onGap` is called when events may have been missed (this
   * process lost its queue on `hourglass.events`), for streams that promise completeness.
   */
  subscribe(listener: DomainEventListener, onGap?: () => void): () => void {
    const subscription = { listener, onGap };
    this.subscriptions.add(subscription);
    if (!this.following && onGap !== undefined) {
      // Nothing is heard now (no queue on the broker yet, or it was lost): say so at once rather
      // than let the stream stay silent; the client reconnects and tries again.
      queueMicrotask(onGap);
    }
    return () => this.subscriptions.delete(subscription);
  }

  /** The follower is (re)connecting: nothing is heard until `followed()`. */
  unfollowed(): void {
    this.following = false;
    this.gap();
  }

  /** The follower's queue is bound: every event from now on is heard. */
  followed(): void {
    this.following = true;
  }

  /** Whether anything listens now (a follower need not decode an event nobody would hear). */
  hasListeners(): boolean {
    return this.subscriptions.size > 0;
  }

  publish(event: CloudEvent): void {
    for (const { listener } of this.subscriptions) {
      try {
        listener(event);
      } catch (error) {
        // One failing listener must not stop the others, nor the relay.
        this.logger.warn(`A domain event listener failed on ${event.type}: ${(error as Error).message}`);
      }
    }
  }

  /** Events may have been missed from here on: tells the listeners that asked. */
  gap(): void {
    for (const { onGap } of [...this.subscriptions]) {
      onGap?.();
    }
  }
}
