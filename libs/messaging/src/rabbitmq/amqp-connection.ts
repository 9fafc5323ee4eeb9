import { AppError } from '@app/common';
import { Logger } from '@nestjs/common';
import type { Channel } from 'amqplib';
import amqp, { AmqpConnectionManager } from 'amqp-connection-manager';
import { describeError } from '../describe-error';
import { BusSettings } from '../messaging.options';
import { brokerFailure } from './broker-failure';

/**
 * Opens a self-reconnecting connection (amqp-connection-manager: heartbeats, reconnect every
 * `reconnectSeconds`, channels and their setups recreated on reconnect). Logs never show the
 * URL, which holds credentials. `onConnectFailed` hears what each failed attempt means before
 * the warning that another follows; answering `false` means the caller gives up (no warning).
 */
export function connectToBroker(
  settings: BusSettings,
  role: 'consumer' | 'publisher',
  logger: Logger,
  onConnectFailed: (failure: AppError) => boolean = () => true,
): AmqpConnectionManager {
  const url = settings.url;
  if (url === undefined) {
    throw new Error('RabbitMQ transport without AMQP_URL');
  }
  const manager = amqp.connect([url], {
    heartbeatIntervalInSeconds: settings.heartbeatSeconds,
    reconnectTimeInSeconds: settings.reconnectSeconds,
    connectionOptions: { clientProperties: { connection_name: `${settings.connectionName} ${role}` } },
  });
  manager.on('connect', () => logger.log(`Connected to RabbitMQ (${role})`));
  manager.on('disconnect', ({ err }: { err?: Error }) =>
    logger.warn(`Lost the RabbitMQ connection (${role}): ${err ? describeError(err) : 'closed'}; reconnecting`),
  );
  manager.on('connectFailed', ({ err }: { err: unknown }) => {
    const failure = brokerFailure(err, url);
    if (onConnectFailed(failure)) {
      logger.warn(`${failure.message} Trying again in ${settings.reconnectSeconds} s (${role}).`);
    }
  });
  manager.on('blocked', ({ reason }: { reason: string }) =>
    logger.warn(`RabbitMQ blocked the ${role} connection: ${reason}`),
  );
  manager.on('unblocked', () => logger.log(`RabbitMQ unblocked the ${role} connection`));
  return manager;
}

/**
 * Watches one raw channel created by a ChannelWrapper. An unhandled channel `error` event would
 * crash the process, so it is logged. And a channel closed while its connection lives (a
 * channel-level error: consumer timeout, queue argument mismatch…) is never reopened by
 * amqp-connection-manager, which only reacts to connection loss: force a reconnect, which reruns
 * every setup (declarations, consumers).
 */
export function watchChannel(
  channel: Channel,
  manager: AmqpConnectionManager,
  options: { role: string; isClosing: () => boolean; reconnectSeconds: number; logger: Logger; onClose?: () => void },
): void {
  channel.on('error', (error: Error) =>
    options.logger.error(`RabbitMQ closed the ${options.role} channel: ${error.message}`),
  );
  channel.once('close', () => {
    options.onClose?.();
    if (options.isClosing()) {
      return;
    }
    setTimeout(() => {
      const sameConnection = manager.connection?.connection === channel.connection;
      if (!options.isClosing() && sameConnection) {
        options.logger.warn(`The ${options.role} channel closed but its connection lives; reconnecting to recreate it`);
        manager.reconnect();
      }
    }, options.reconnectSeconds * 1000).unref();
  });
}
