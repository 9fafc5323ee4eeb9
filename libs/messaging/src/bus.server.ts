import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { BusContext } from './bus.context';
import { parseBusMessage } from './bus-message';
import { describeError } from './describe-error';
import { BUS_TRANSPORT, deadLetterQueue } from './messaging.constants';

/** What the transport does with a delivery once the handler is done with it. */
export type DeliveryOutcome = 'ack' | 'requeue' | 'dead-letter';

/** Broker events (`on()`) and statuses (`status`) of the bus servers and clients. */
export type BusListener = (...args: unknown[]) => void;
export type BusEvents = Record<string, BusListener>;
export type BusStatus = 'connected' | 'disconnected';

export interface DeliveryInfo {
  queue: string;
  messageId: string | undefined;
  redelivered: boolean;
}

/** Foreign values shown in logs are cut and JSON-quoted, so a crafted one cannot forge log lines. */
const MAX_LOGGED_LENGTH = 80;

/**
 * The part both bus servers share: decode the body, find the `@EventPattern(action)` handler,
 * run it to completion and decide ack / requeue once / dead-letter. Never throws, so a bad
 * message cannot take the consumer (or the process) down.
 */
export abstract class BusServer extends Server<BusEvents, BusStatus> implements CustomTransportStrategy {
  override readonly transportId = BUS_TRANSPORT;
  protected override readonly logger = new Logger('BusServer');
  private readonly inFlight = new Set<Promise<DeliveryOutcome>>();
  private lifecycle: 'new' | 'listening' | 'closed' = 'new';

  /**
   * Starts consuming once: `app.startAllMicroservices()` called again (e.g. after connecting
   * another microservice) must not open a second, never-closed connection.
   */
  listen(callback: (...optionalParams: unknown[]) => void): void {
    if (this.lifecycle !== 'new') {
      callback(this.lifecycle === 'closed' ? new Error('This bus server was closed; create a new one') : undefined);
      return;
    }
    this.lifecycle = 'listening';
    this.start(callback);
  }

  async close(): Promise<void> {
    if (this.lifecycle === 'closed') {
      return;
    }
    const wasListening = this.lifecycle === 'listening';
    this.lifecycle = 'closed';
    if (wasListening) {
      await this.stop();
    }
  }

  /** Declares and consumes the queues; calls back when ready or with the first setup error. */
  protected abstract start(callback: (error?: unknown) => void): void;

  /** Stops consuming, waits (bounded) for running handlers, releases the transport. */
  protected abstract stop(): Promise<void>;

  protected handleDelivery(content: string, info: DeliveryInfo): Promise<DeliveryOutcome> {
    const handling = this.dispatch(content, info);
    this.inFlight.add(handling);
    void handling.then(() => this.inFlight.delete(handling));
    return handling;
  }

  /** Waits for the handlers still running, at most `timeoutMs`; true when all finished. */
  protected async drain(timeoutMs: number): Promise<boolean> {
    if (this.inFlight.size === 0) {
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const finished = Promise.allSettled([...this.inFlight]).then(() => true);
    const drained = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (!drained) {
      this.logger.warn(
        `Closed with ${this.inFlight.size} handler(s) still running; their messages will be redelivered`,
      );
    }
    return drained;
  }

  private async dispatch(content: string, info: DeliveryInfo): Promise<DeliveryOutcome> {
    const parsed = parseBusMessage(content);
    if (!parsed.ok) {
      return this.reject(info, undefined, parsed.reason);
    }
    const { action } = parsed.message;
    const handler = this.findHandler(action);
    if (!handler) {
      return this.reject(info, action, 'no handler for this action');
    }
    try {
      const context = new BusContext([info.queue, info.messageId, info.redelivered]);
      // Nest's RPC proxy turns a thrown error into an erroring Observable: run it to the end.
      await lastValueFrom(this.transformToObservable(await handler(parsed.message, context)), {
        defaultValue: undefined,
      });
      return 'ack';
    } catch (error) {
      const where = describeDelivery(info, action);
      if (!info.redelivered) {
        this.logger.warn(`Handler failed for ${where}: ${describeError(error)}; requeued for one more attempt`);
        return 'requeue';
      }
      this.logger.error(
        `Handler failed again for ${where}: ${describeError(error)}; dead-lettered to ${deadLetterQueue(info.queue)}`,
      );
      return 'dead-letter';
    }
  }

  private findHandler(action: string): MessageHandler | null {
    try {
      return this.getHandlerByPattern(action);
    } catch {
      return null; // an action that Nest cannot turn into a route has no handler either
    }
  }

  private reject(info: DeliveryInfo, action: string | undefined, reason: string): DeliveryOutcome {
    // The body is never logged: commands may carry phone numbers or session material.
    this.logger.warn(`Dead-lettered ${describeDelivery(info, action)}: ${reason}`);
    return 'dead-letter';
  }
}

function describeDelivery(info: DeliveryInfo, action: string | undefined): string {
  const shown = (value: string) => JSON.stringify(value.slice(0, MAX_LOGGED_LENGTH));
  const shownAction = action === undefined ? '' : `action ${shown(action)} `;
  return `${shownAction}on ${info.queue} (message ${info.messageId === undefined ? 'without id' : shown(info.messageId)})`;
}
