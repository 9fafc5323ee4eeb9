import { AppConfig } from '@app/config';
import { Database } from '@app/database';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AmqpEventPublisher } from './amqp-event-publisher';
import { toCloudEvent } from './cloud-event';
import { eventsPublished } from './events-metrics';
import { LocalEventStream } from './local-event-stream';
import { OutboxRepository } from './outbox.repository';

/** The relay's lock: one relay at a time in the whole cluster. */
export const OUTBOX_RELAY_LOCK = 'outbox-relay';
/** Events per publish-and-confirm round. */
const RELAY_BATCH_SIZE = 500;
const CONFIRM_TIMEOUT_MS = 10_000;

export type RelayResult = { ran: true; published: number } | { ran: false };

/**
 * Publishes the outbox: unsent events in `seq` order, as CloudEvents, to `hourglass.events` on
 * RabbitMQ (or to this process's `LocalEventStream` without AMQP_URL), and marks them sent only
 * after the broker confirmed them. At least once: a crash or an outage between the confirm and
 * the mark republishes the batch, with the same event ids.
 *
 * One relay at a time across every replica (`Database.runExclusive`), so no two publish the same
 * row and a single publisher keeps `seq` order. `seq` order is each aggregate's order: an event
 * is inserted by the statement that holds its aggregate's row lock, so a later change of the same
 * aggregate gets a larger `seq` and commits after it.
 */
@Injectable()
export class OutboxRelay implements OnApplicationShutdown {
  private readonly amqp?: AmqpEventPublisher;
  /** A wakeup (a NOTIFY) came since this process's relay last read the outbox. */
  private woken = false;

  constructor(
    config: AppConfig,
    private readonly database: Database,
    private readonly outbox: OutboxRepository,
    private readonly local: LocalEventStream,
  ) {
    this.amqp = config.AMQP_URL === undefined ? undefined : new AmqpEventPublisher(config.AMQP_URL, CONFIRM_TIMEOUT_MS);
  }

  /**
   * Relays until the outbox is empty, unless another relay is running (`{ ran: false }`). Throws
   * when the broker cannot be reached or does not confirm: the batch in flight stays unsent.
   */
  async relay(): Promise<RelayResult> {
    const outcome = await this.database.runExclusive(OUTBOX_RELAY_LOCK, () => this.drain());
    return outcome.ran ? { ran: true, published: outcome.result } : { ran: false };
  }

  /**
   * Tells the relay that events were committed: a run in flight reads the outbox once more before
   * it ends, as it may have read it before they committed.
   */
  wake(): void {
    this.woken = true;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.amqp?.close();
  }

  private async drain(): Promise<number> {
    let published = 0;
    for (;;) {
      this.woken = false;
      const rows = await this.outbox.unsent(RELAY_BATCH_SIZE);
      if (rows.length === 0) {
        if (this.woken) {
          continue;
        }
        return published;
      }
      const events = rows.map(toCloudEvent);
      // Never both: with RabbitMQ every API process (this one too) hears them back on its own
      // queue (AmqpEventFollower); a local publish as well would repeat them in this process.
      if (this.amqp === undefined) {
        events.forEach((event) => this.local.publish(event));
      } else {
        await this.amqp.publish(events);
      }
      await this.outbox.markSent(rows.map((row) => row.seq));
      eventsPublished.inc(rows.length);
      published += rows.length;
      if (rows.length < RELAY_BATCH_SIZE && !this.woken) {
        return published;
      }
    }
  }
}
