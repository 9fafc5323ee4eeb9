import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { DeliveryOutcome } from '../bus.server';
import { encodeBusBody } from '../bus-message';
import { deadLetterQueue } from '../messaging.constants';

/** A message as the in-process broker holds it: the JSON text, like the bytes on the wire. */
export interface InProcessMessage {
  readonly content: string;
  readonly messageId: string;
  /** Milliseconds since the epoch, when it was published. */
  readonly timestamp: number;
  readonly redelivered: boolean;
}

/** Handles one delivery and says what to do with it; must not reject. */
export type InProcessConsumer = (message: InProcessMessage) => Promise<DeliveryOutcome>;

interface ConsumerSlot {
  readonly handle: InProcessConsumer;
  readonly prefetch: number;
  unacked: number;
  cancelled: boolean;
}

interface QueueState {
  readonly ready: InProcessMessage[];
  consumers: ConsumerSlot[];
  cursor: number;
  pumpScheduled: boolean;
}

/** Dead letters kept per queue; a dev process must not grow without bound. */
const MAX_DEAD_LETTERS = 1000;

/**
 * The bus without RabbitMQ, for one process hosting API and worker. Named queues, each message
 * a JSON round trip (so handlers see what the wire would give them), kept until a consumer
 * subscribes, delivered asynchronously and round-robin within each consumer's prefetch, with
 * RabbitMQ's outcomes: ack, requeue (redelivered), dead-letter into `Q.dlq`. One instance per
 * Nest application (a provider, not a global), so two apps in one Jest process never cross-talk.
 */
@Injectable()
export class InProcessBroker {
  private readonly logger = new Logger('InProcessBroker');
  private readonly queues = new Map<string, QueueState>();

  /** Queues `body` as its JSON text; throws if it is not a JSON object. */
  publish(queue: string, body: Record<string, unknown>): InProcessMessage {
    return this.publishRaw(queue, encodeBusBody(body));
  }

  /** Queues any text, as a foreign publisher could (a malformed body ends in the dead-letter queue). */
  publishRaw(queue: string, content: string): InProcessMessage {
    const message: InProcessMessage = { content, messageId: randomUUID(), timestamp: Date.now(), redelivered: false };
    this.state(queue).ready.push(message);
    this.schedulePump(queue);
    return message;
  }

  /** Subscribes; returns the cancel function (messages not yet delivered stay queued). */
  consume(queue: string, handle: InProcessConsumer, prefetch: number): () => void {
    const slot: ConsumerSlot = { handle, prefetch: Math.max(1, prefetch), unacked: 0, cancelled: false };
    const state = this.state(queue);
    state.consumers.push(slot);
    this.schedulePump(queue);
    return () => {
      slot.cancelled = true;
      state.consumers = state.consumers.filter((other) => other !== slot);
    };
  }

  /** The messages dead-lettered from `queue`, oldest first (what `Q.dlq` holds). */
  deadLetters(queue: string): InProcessMessage[] {
    return [...(this.queues.get(deadLetterQueue(queue))?.ready ?? [])];
  }

  /** Messages waiting for a consumer on `queue`. */
  depth(queue: string): number {
    return this.queues.get(queue)?.ready.length ?? 0;
  }

  private state(queue: string): QueueState {
    let state = this.queues.get(queue);
    if (!state) {
      state = { ready: [], consumers: [], cursor: 0, pumpScheduled: false };
      this.queues.set(queue, state);
    }
    return state;
  }

  /** Deliveries always happen on a later turn of the event loop, never inside publish(). */
  private schedulePump(queue: string): void {
    const state = this.state(queue);
    if (!state.pumpScheduled) {
      state.pumpScheduled = true;
      setImmediate(() => {
        state.pumpScheduled = false;
        this.pump(queue, state);
      });
    }
  }

  private pump(queue: string, state: QueueState): void {
    for (;;) {
      const slot = state.ready.length > 0 ? this.nextConsumer(state) : undefined;
      const message = slot && state.ready.shift();
      if (!slot || !message) {
        return;
      }
      slot.unacked += 1;
      void slot
        .handle(message)
        .catch((): DeliveryOutcome => (message.redelivered ? 'dead-letter' : 'requeue'))
        .then((outcome) => {
          slot.unacked -= 1;
          this.settle(queue, state, message, outcome);
          this.schedulePump(queue);
        });
    }
  }

  /** Round robin over the consumers that still have room under their prefetch. */
  private nextConsumer(state: QueueState): ConsumerSlot | undefined {
    const count = state.consumers.length;
    for (let step = 0; step < count; step += 1) {
      const index = (state.cursor + step) % count;
      const slot = state.consumers[index];
      if (slot && !slot.cancelled && slot.unacked < slot.prefetch) {
        state.cursor = (index + 1) % count;
        return slot;
      }
    }
    return undefined;
  }

  private settle(queue: string, state: QueueState, message: InProcessMessage, outcome: DeliveryOutcome): void {
    switch (outcome) {
      case 'ack':
        return;
      case 'requeue':
        // Like RabbitMQ, a requeued message goes back to the head, flagged as redelivered.
        state.ready.unshift({ ...message, redelivered: true });
        return;
      case 'dead-letter': {
        const dlq = this.state(deadLetterQueue(queue));
        dlq.ready.push(message);
        if (dlq.ready.length > MAX_DEAD_LETTERS) {
          dlq.ready.shift();
          this.logger.warn(`Dropped the oldest dead letter of ${queue}: more than ${MAX_DEAD_LETTERS} kept`);
        }
        this.schedulePump(deadLetterQueue(queue));
        return;
      }
    }
  }
}
