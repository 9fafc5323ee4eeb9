import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { BusClient } from './bus.client';
import { BUS_SETTINGS, BusServerFactory } from './bus-server.factory';
import { InProcessBroker } from './in-process/in-process-broker.service';
import { InProcessClient } from './in-process/in-process.client';
import { BUS_CLIENT, MessageBus } from './message-bus.service';
import { BusSettings, MESSAGING_OPTIONS, MessagingOptions, resolveBusSettings } from './messaging.options';
import { RabbitMqClient } from './rabbitmq/rabbitmq.client';

/**
 * The bus, global: RabbitMQ when AMQP_URL is set, else an in-process broker shared by the
 * application's publisher and servers. Needs the global `ConfigModule.forRoot(config)`.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions = {}): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: BUS_SETTINGS,
          inject: [AppConfig, MESSAGING_OPTIONS],
          useFactory: (config: AppConfig, moduleOptions: MessagingOptions) => resolveBusSettings(config, moduleOptions),
        },
        InProcessBroker,
        {
          provide: BUS_CLIENT,
          inject: [BUS_SETTINGS, InProcessBroker],
          useFactory: (settings: BusSettings, broker: InProcessBroker): BusClient =>
            settings.url === undefined ? new InProcessClient(broker) : new RabbitMqClient(settings),
        },
        MessageBus,
        BusServerFactory,
      ],
      exports: [MessageBus, BusServerFactory, InProcessBroker],
    };
  }
}
