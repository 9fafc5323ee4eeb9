import { BusServer } from '../bus.server';
import { BusSettings } from '../messaging.options';
import { InProcessBroker } from './in-process-broker.service';

/** Consumes queues of the application's `InProcessBroker`, with the same ack rules as RabbitMQ. */
export class InProcessServer extends BusServer {
  private cancels: (() => void)[] = [];

  constructor(
    private readonly queues: readonly string[],
    private readonly broker: InProcessBroker,
    private readonly settings: BusSettings,
  ) {
    super();
  }

  protected start(callback: (error?: unknown) => void): void {
    this.cancels = this.queues.map((queue) =>
      this.broker.consume(
        queue,
        (message) =>
          this.handleDelivery(message.content, {
            queue,
            messageId: message.messageId,
            redelivered: message.redelivered,
          }),
        this.settings.prefetch,
      ),
    );
    this._status$.next('connected');
    this.logger.log(`Consuming ${this.queues.join(', ')} (in-process bus)`);
    callback();
  }

  protected async stop(): Promise<void> {
    for (const cancel of this.cancels.splice(0)) {
      cancel();
    }
    await this.drain(this.settings.closeTimeoutMs);
    this._status$.next('disconnected');
  }

  on(): void {
    throw new Error('The in-process bus has no broker events');
  }

  unwrap<T>(): T {
    return this.broker as T;
  }
}
