import type { Channel } from 'amqplib';
import { deadLetterQueue } from '../messaging.constants';

/**
 * The one declaration of a bus queue `Q`, used by the server and the publisher alike:
 * RabbitMQ refuses (PRECONDITION_FAILED) a redeclaration with other arguments, so anyone
 * else declaring these queues (a Spring or Python service) must use exactly these:
 *   `Q.dlq`: durable, no arguments;
 *   `Q`:     durable, `x-dead-letter-exchange: ''`, `x-dead-letter-routing-key: 'Q.dlq'`.
 */
export function busQueueArguments(queue: string): Record<string, string> {
  return { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': deadLetterQueue(queue) };
}

/** Works on a raw amqplib channel and on an amqp-connection-manager ChannelWrapper. */
export async function assertBusQueue(channel: Pick<Channel, 'assertQueue'>, queue: string): Promise<void> {
  await channel.assertQueue(deadLetterQueue(queue), { durable: true });
  await channel.assertQueue(queue, { durable: true, arguments: busQueueArguments(queue) });
}
