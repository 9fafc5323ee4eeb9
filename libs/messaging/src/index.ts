export { BusContext } from './bus.context';
export { BusServerFactory } from './bus-server.factory';
export { InProcessBroker } from './in-process/in-process-broker.service';
export { MessageBus } from './message-bus.service';
export {
  BUS_TRANSPORT,
  WORKER_COMMANDS_QUEUE,
  WORKER_EVENTS_QUEUE,
  deadLetterQueue,
  workerCommandQueue,
} from './messaging.constants';
export { MessagingModule } from './messaging.module';
