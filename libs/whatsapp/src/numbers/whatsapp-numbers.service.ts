import { AuthenticatedUser } from '@app/auth';
import {
  InvalidCursorError,
  PageRequest,
  cursorInteger,
  decodeCursor,
  encodeCursor,
  isIntegerId,
  pageSize,
} from '@app/common';
import { AppConfig } from '@app/config';
import { MessageBus, WORKER_COMMANDS_QUEUE, workerCommandQueue } from '@app/messaging';
import { Injectable, Logger } from '@nestjs/common';
import { Observable } from 'rxjs';
import {
  CommandNotSentError,
  InvalidPhoneNumberError,
  PhoneNumberTakenError,
  SimulatorOnlyError,
  ValidationNotRequestedError,
  WhatsappNumberNotFoundError,
} from '../whatsapp.errors';
import { E164, WorkerEvent } from '../whatsapp-messages';
import { WhatsappLiveEventsService } from './whatsapp-live-events.service';
import { WhatsappNumberEntity } from './whatsapp-number.entity';
import { WhatsappNumbersRepository } from './whatsapp-numbers.repository';
import { WorkerRegistry } from './worker-registry.service';

/** A number to register: `phoneNumber` in E.164 form (`+`, country code, number). */
export interface NewWhatsappNumber {
  phoneNumber: string;
}

/** What `GET /api/whatsapp/numbers/:id/` answers (CONTRACT §6). */
/** What a number's stream carries: its state first, then the worker events applied to it. */
export type NumberStreamItem = { kind: 'status'; status: WhatsappNumberView } | { kind: 'event'; event: WorkerEvent };

export interface WhatsappNumberView {
  id: number;
  phoneNumber: string;
  status: WhatsappNumberEntity['status'];
  qrCode: string | null;
  attempt: number;
  maxAttempts: number;
  workerId: string | null;
  lastError: string | null;
}

/** What `GET /api/whatsapp/numbers/` answers: a page, newest first; `nextCursor` is null on the last one. */
export interface WhatsappNumberPage {
  numbers: WhatsappNumberView[];
  nextCursor: string | null;
}

/**
 * The API side of number validation: the registry of numbers, the commands sent to the workers
 * (to the owner's queue while its heartbeat is fresh, else to the shared queue so another worker
 * takes the session over) and the events coming back, which update the number and feed the
 * live streams of every API process.
 */
@Injectable()
export class WhatsappNumbersService {
  private readonly logger = new Logger('WhatsApp');

  constructor(
    private readonly numbers: WhatsappNumbersRepository,
    private readonly live: WhatsappLiveEventsService,
    private readonly workers: WorkerRegistry,
    private readonly bus: MessageBus,
    private readonly config: AppConfig,
  ) {}

  /**
   * Registers an E.164 number (the API's DTO checks the form; the check here keeps other callers
   * honest) for `ownerId`. A number belongs to one user only: a second registration is a conflict.
   */
  async register(ownerId: number, { phoneNumber }: NewWhatsappNumber): Promise<WhatsappNumberView> {
    if (!E164.test(phoneNumber)) {
      throw new InvalidPhoneNumberError();
    }
    const created = await this.numbers.insert(phoneNumber, ownerId, this.config.WHATSAPP_MAX_QR_RETRIES);
    if (!created) {
      throw new PhoneNumberTakenError();
    }
    return view(created);
  }

  /** The number, if `user` owns it or is an admin (others get the same 404 as for a missing id). */
  async get(user: AuthenticatedUser, id: number): Promise<WhatsappNumberView> {
    return view(await this.visible(user, id));
  }

  /** The numbers `user` may see (their own; every number for an admin), newest first, a page at a time. */
  async list(user: AuthenticatedUser, page: PageRequest = {}): Promise<WhatsappNumberPage> {
    const limit = pageSize(page.limit);
    const beforeId = page.cursor === undefined ? undefined : cursorInteger(decodeCursor(page.cursor).before);
    if (beforeId !== undefined && !isIntegerId(beforeId)) {
      throw new InvalidCursorError(); // ids are int4: a larger one was never handed out
    }
    const rows = await this.numbers.page(user.role === 'admin' ? undefined : user.id, limit + 1, beforeId);
    const numbers = rows.slice(0, limit).map(view);
    const nextCursor = rows.length > limit ? encodeCursor({ before: numbers[numbers.length - 1].id }) : null;
    return { numbers, nextCursor };
  }

  /** Starts (or restarts) the validation: `validate_number` to the owner, or to any worker. */
  async validate(user: AuthenticatedUser, id: number): Promise<void> {
    const number = await this.visible(user, id);
    const { queue } = await this.route(number);
    // Marked before sending: the worker's first QR may come back before this call returns.
    await this.numbers.markValidationRequested(number.id);
    await this.send(queue, {
      action: 'validate_number',
      data: { numberId: number.id, phoneNumber: number.phoneNumber },
      timestamp: Date.now(),
    });
  }

  /** The admin's manual regeneration (seed 004): `regenerate_qr`, to the owner while it lives. */
  async regenerateQr(id: number): Promise<{ numberId: number; phoneNumber: string; queue: string }> {
    const number = await this.found(id);
    if (number.validationRequestedAt === null) {
      throw new ValidationNotRequestedError();
    }
    const { queue, workerId } = await this.route(number);
    await this.numbers.markRegenerationRequested(number.id);
    await this.send(queue, {
      action: 'regenerate_qr',
      data: { numberId: number.id, phoneNumber: number.phoneNumber, ...(workerId === undefined ? {} : { workerId }) },
      timestamp: Date.now(),
    });
    return { numberId: number.id, phoneNumber: number.phoneNumber, queue };
  }

  /** Simulator only: a simulated phone scans the number's QR. */
  async simulateScan(id: number): Promise<void> {
    if (this.config.whatsappDriver !== 'simulator') {
      throw new SimulatorOnlyError();
    }
    const number = await this.found(id);
    if (number.validationRequestedAt === null) {
      throw new ValidationNotRequestedError();
    }
    const { queue } = await this.route(number);
    await this.send(queue, { action: 'simulate_scan', data: { numberId: number.id }, timestamp: Date.now() });
  }

  /**
   * One number's stream: its current state, then its live events, whichever API process applied
   * them. Listening starts before the state is read, so no change falls between the two (one may
   * show twice: in the state and as an event). It ends when events may have been missed (see
   * `WhatsappLiveEventsService`). Rejects at once (404) when the user may not see the number.
   */
  async follow(user: AuthenticatedUser, id: number): Promise<Observable<NumberStreamItem>> {
    const number = await this.visible(user, id);
    return new Observable<NumberStreamItem>((subscriber) => {
      const early: WorkerEvent[] = [];
      let statusSent = false;
      const live = this.live.of(number.id).subscribe({
        next: (event) => (statusSent ? subscriber.next({ kind: 'event', event }) : early.push(event)),
        complete: () => subscriber.complete(),
      });
      this.found(number.id).then(
        (current) => {
          subscriber.next({ kind: 'status', status: view(current) });
          statusSent = true;
          early.splice(0).forEach((event) => subscriber.next({ kind: 'event', event }));
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => live.unsubscribe();
    });
  }

  /** A worker event from the bus: applied when newer than the last one; its domain event feeds every stream. */
  async applyEvent(event: WorkerEvent): Promise<void> {
    const applied = await this.numbers.applyEvent(event);
    if (applied === undefined) {
      this.logger.log(
        `Ignored ${event.action} for number ${event.numberId} from ${event.workerId}: unknown number, or older than its last event`,
      );
    }
  }

  /** Deletes the applied events older than `ageMs`, which every process has streamed long ago. */
  purgeAppliedEvents(ageMs: number): Promise<number> {
    return this.numbers.purgeEvents(ageMs);
  }

  /** The owner's own queue while its heartbeat is fresh; else the shared queue (any worker takes over). */
  private async route(number: WhatsappNumberEntity): Promise<{ queue: string; workerId?: string }> {
    const owner = number.workerId;
    if (owner !== null && (await this.workers.isAlive(owner))) {
      return { queue: workerCommandQueue(owner), workerId: owner };
    }
    if (owner !== null) {
      this.logger.warn(
        `Worker ${owner} owns number ${number.id} but its heartbeat is stale: the command goes to the shared queue`,
      );
    }
    return { queue: WORKER_COMMANDS_QUEUE };
  }

  private async send(queue: string, body: Record<string, unknown>): Promise<void> {
    try {
      await this.bus.publish(queue, body);
    } catch (error) {
      this.logger.error(`Could not send ${String(body.action)} to ${queue}: ${String(error)}`);
      throw new CommandNotSentError();
    }
  }

  private async found(id: number): Promise<WhatsappNumberEntity> {
    const number = isIntegerId(id) ? await this.numbers.findById(id) : null;
    if (!number) {
      throw new WhatsappNumberNotFoundError();
    }
    return number;
  }

  private async visible(user: AuthenticatedUser, id: number): Promise<WhatsappNumberEntity> {
    const number = await this.found(id);
    if (user.role !== 'admin' && number.userId !== user.id) {
      throw new WhatsappNumberNotFoundError();
    }
    return number;
  }
}

function view(number: WhatsappNumberEntity): WhatsappNumberView {
  return {
    id: number.id,
    phoneNumber: number.phoneNumber,
    status: number.status,
    qrCode: number.qrCode,
    attempt: number.attempt,
    maxAttempts: number.maxAttempts,
    workerId: number.workerId,
    lastError: number.lastError,
  };
}
