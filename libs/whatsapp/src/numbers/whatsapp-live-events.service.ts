import { AppConfig } from '@app/config';
import { DatabaseNotifications } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { Observable, Subject, filter, takeUntil } from 'rxjs';
import { WorkerEvent } from '../whatsapp-messages';
import { WhatsappNumbersRepository } from './whatsapp-numbers.repository';

/** The channel on which an applied event's id is announced (payload: `whatsapp_number_events.id`). */
export const WHATSAPP_EVENTS_CHANNEL = 'hourglass_whatsapp_events';

/**
 * The live events of this process's SSE streams: every event applied by any API process (each
 * consumes its share of `whatsapp.worker.events`), exactly once, in commit order. The process
 * that applies an event does not stream it directly: like every other process, it hears the id
 * through LISTEN/NOTIFY and reads the event back (embedded, one process and no NOTIFY delivery,
 * it announces the id to itself). Ids are read one after another, so the order holds.
 *
 * When notifications may have been missed (the LISTEN connection was lost or has just been
 * re-established, or an event could not be read), every open stream ends: an EventSource
 * reconnects and gets the current `status` first, instead of silently missing a change.
 */
@Injectable()
export class WhatsappLiveEventsService {
  private readonly logger = new Logger('WhatsApp');
  private readonly events = new Subject<WorkerEvent>();
  private readonly gaps = new Subject<void>();
  private delivery: Promise<void> = Promise.resolve();
  private listening?: Promise<void>;

  constructor(
    private readonly numbers: WhatsappNumbersRepository,
    private readonly notifications: DatabaseNotifications,
    private readonly config: AppConfig,
  ) {}

  /**
   * Starts listening (the API calls it at bootstrap, so streams opened later miss nothing);
   * resolves once it listens, or once the first attempt has failed (retried in the background).
   */
  listen(): Promise<void> {
    this.listening ??= this.notifications.subscribe(WHATSAPP_EVENTS_CHANNEL, {
      onNotification: (id) => this.enqueue(id),
      onGap: () => this.gaps.next(),
    });
    return this.listening;
  }

  /** The events of one number from now on, until notifications may have been missed. */
  of(numberId: number): Observable<WorkerEvent> {
    void this.listen();
    return this.events.pipe(
      filter((event) => event.numberId === numberId),
      takeUntil(this.gaps),
    );
  }

  /** Event `id` was applied by this process and has committed. */
  applied(id: string): void {
    // A server delivers the NOTIFY to this process too; PGlite delivers none.
    if (this.config.embeddedDatabase) {
      this.notifications.publishLocally(WHATSAPP_EVENTS_CHANNEL, id);
    }
  }

  private enqueue(id: string): void {
    this.delivery = this.delivery.then(() => this.deliver(id));
  }

  private async deliver(id: string): Promise<void> {
    if (!this.events.observed) {
      return; // No stream open here: nothing to read.
    }
    try {
      const event = await this.numbers.findEvent(id);
      if (event !== undefined) {
        this.events.next(event);
        return;
      }
      this.logger.warn(`Event ${id} was purged before this process could stream it`);
    } catch (error) {
      this.logger.warn(`Could not read event ${id} for the live streams: ${String(error)}`);
    }
    this.gaps.next();
  }
}
