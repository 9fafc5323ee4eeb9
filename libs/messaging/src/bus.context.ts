import { BaseRpcContext } from '@nestjs/microservices';

type BusContextArgs = [queue: string, messageId: string | undefined, redelivered: boolean];

/** What a bus handler gets with `@Ctx()`: where the message came from. */
export class BusContext extends BaseRpcContext<BusContextArgs> {
  /** The queue the message was consumed from, e.g. `whatsapp.worker.commands.worker-1`. */
  getQueue(): string {
    return this.args[0];
  }

  /** The publisher's `messageId` property; undefined when a foreign publisher set none. */
  getMessageId(): string | undefined {
    return this.args[1];
  }

  /** True when this is a second delivery (after a failure or a lost connection). */
  isRedelivered(): boolean {
    return this.args[2];
  }
}
