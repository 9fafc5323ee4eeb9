export * from './bus.context';
export type { BusMessage } from './bus-message';
export { BusServerFactory } from './bus-server.factory';
export { InProcessBroker } from './in-process/in-process-broker.service';
export type { InProcessMessage } from './in-process/in-process-broker.service';
export { MessageBus } from './message-bus.service';
export { BusUnavailableError } from './messaging.errors';
export {
  BUS_TRANSPORT,
  WORKER_COMMANDS_QUEUE,
  WORKER_EVENTS_QUEUE,
  deadLetterQueue,
  workerCommandQueue,
} from './messaging.constants';
export * from './messaging.module';
export type { MessagingOptions } from './messaging.options';
