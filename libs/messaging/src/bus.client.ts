import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import type { BusEvents, BusStatus } from './bus.server';

/**
 * A Nest `ClientProxy` for the bus. Events only: `emit(queue, body)` publishes `body` as is to
 * `queue` (the pattern is the queue name, not an envelope field). Request-response is refused:
 * the bus has no reply queues.
 */
export abstract class BusClient extends ClientProxy<BusEvents, BusStatus> {
  /** Publishes `body` verbatim as JSON; resolves once the transport has it for good. */
  abstract deliver(queue: string, body: Record<string, unknown>): Promise<void>;

  abstract isConnected(): boolean;

  abstract override connect(): Promise<void>;

  abstract override close(): Promise<void>;

  protected override publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('The bus carries one-way events only; use emit()'), isDisposed: true });
    return () => undefined;
  }

  protected override async dispatchEvent<T = unknown>(packet: ReadPacket<Record<string, unknown>>): Promise<T> {
    if (typeof packet.pattern !== 'string') {
      throw new TypeError('The event pattern of a bus client is the destination queue name');
    }
    await this.deliver(packet.pattern, packet.data);
    return undefined as T;
  }
}
