import { setTimeout as sleep } from 'node:timers/promises';
import { Channel, ChannelModel, GetMessage, connect } from 'amqplib';

// Test support: a plain amqplib client, standing in for a non-Nest service on the same queues.

export interface RawAmqp {
  connection: ChannelModel;
  channel: Channel;
  close(): Promise<void>;
}

export async function openRawAmqp(url: string): Promise<RawAmqp> {
  const connection = await connect(url);
  // A forced close of the vhost's connections must not crash the test process.
  connection.on('error', () => undefined);
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  return {
    connection,
    channel,
    close: async () => {
      await connection.close().catch(() => undefined);
    },
  };
}

/** Gets (and acks) messages from `queue` until `count` arrived or `timeoutMs` passed. */
export async function takeMessages(
  channel: Channel,
  queue: string,
  count: number,
  timeoutMs = 5_000,
): Promise<GetMessage[]> {
  const taken: GetMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (taken.length < count && Date.now() < deadline) {
    const message = await channel.get(queue, { noAck: true });
    if (message) {
      taken.push(message);
    } else {
      await sleep(20);
    }
  }
  return taken;
}
