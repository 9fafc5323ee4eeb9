import { Inject, Injectable } from '@nestjs/common';
import { CustomTransportStrategy } from '@nestjs/microservices';
import { InProcessBroker } from './in-process/in-process-broker.service';
import { InProcessServer } from './in-process/in-process.server';
import { BusSettings } from './messaging.options';
import { RabbitMqServer } from './rabbitmq/rabbitmq.server';

export const BUS_SETTINGS = Symbol('BUS_SETTINGS');

/**
 * Builds the bus server of this application for a list of queues:
 * `app.connectMicroservice({ strategy: app.get(BusServerFactory).create([WORKER_COMMANDS_QUEUE]) })`.
 * Handlers are `@EventPattern(action)` methods; they receive the whole body and a `BusContext`.
 */
@Injectable()
export class BusServerFactory {
  constructor(
    @Inject(BUS_SETTINGS) private readonly settings: BusSettings,
    private readonly broker: InProcessBroker,
  ) {}

  create(queues: string[]): CustomTransportStrategy {
    const unique = [...new Set(queues)];
    if (unique.length === 0 || unique.some((queue) => queue.trim() === '')) {
      throw new Error('A bus server needs at least one non-empty queue name');
    }
    return this.settings.url === undefined
      ? new InProcessServer(unique, this.broker, this.settings)
      : new RabbitMqServer(unique, this.settings);
  }
}
