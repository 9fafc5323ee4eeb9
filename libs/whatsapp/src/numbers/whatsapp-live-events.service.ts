import { CloudEvent, LocalEventStream, WhatsappValidationEventData } from '@app/events';
import { Injectable, Logger } from '@nestjs/common';
import { Observable } from 'rxjs';
import { WorkerEvent } from '../whatsapp-messages';
import { WhatsappNumbersRepository } from './whatsapp-numbers.repository';

const VALIDATION_EVENT = 'whatsapp.number.validation_event';

/**
 * The live events of one number for its SSE stream, on the path of every other live stream:
 * `hourglass.events` → this process's `LocalEventStream` (so a stream on any replica sees the
 * events that any other replica applied). The domain event names the applied worker event; the
 * stream reads it back (it holds the QR, which stays out of `hourglass.events`). Reads are chained,
 * so events leave in the order they were published, which is each number's order.
 *
 * A stream ends when events may have been missed (this process lost its queue on the broker, or an
 * applied event was purged before it could be read): an EventSource reconnects and gets the
 * current `status` first, instead of silently missing a change.
 */
@Injectable()
export class WhatsappLiveEventsService {
  private readonly logger = new Logger('WhatsApp');

  constructor(
    private readonly numbers: WhatsappNumbersRepository,
    private readonly local: LocalEventStream,
  ) {}

  /** The worker events of one number applied from the subscription on, until some may have been missed. */
  of(numberId: number): Observable<WorkerEvent> {
    return new Observable<WorkerEvent>((subscriber) => {
      let reads = Promise.resolve();
      const read = async (workerEventId: string): Promise<void> => {
        if (subscriber.closed) {
          return;
        }
        try {
          const event = await this.numbers.findEvent(workerEventId);
          if (event !== undefined) {
            subscriber.next(event);
            return;
          }
          this.logger.warn(`Event ${workerEventId} of number ${numberId} was purged before it could be streamed`);
        } catch (error) {
          this.logger.warn(`Could not read event ${workerEventId} of number ${numberId}: ${String(error)}`);
        }
        subscriber.complete();
      };
      return this.local.subscribe(
        (event: CloudEvent) => {
          const data = event.data as Partial<WhatsappValidationEventData>;
          if (event.type === VALIDATION_EVENT && data.numberId === numberId && typeof data.workerEventId === 'string') {
            const workerEventId = data.workerEventId;
            reads = reads.then(() => read(workerEventId));
          }
        },
        () => subscriber.complete(),
      );
    });
  }
}
