// What other rooms use: the API's registry side, the node that apps host, and what the bench drives.
export { SimulatorDriver } from './drivers/simulator.driver';
export { WhatsappNodeModule } from './node/whatsapp-node.module';
export { workerQueues } from './node/worker-queues';
export { NUMBER_STATUSES } from './numbers/whatsapp-number.entity';
export { WhatsappNumbersModule } from './numbers/whatsapp-numbers.module';
export {
  type WhatsappNumberPage,
  type NumberStreamItem,
  type WhatsappNumberView,
  WhatsappNumbersService,
} from './numbers/whatsapp-numbers.service';
export { type WorkerDriverReport, WorkerRegistry } from './numbers/worker-registry.service';
export { WhatsappCronModule } from './whatsapp-cron.module';
export { SessionManager } from './session/session-manager.service';
export { QrRenderPool } from './session/qr-render-pool';
export { InvalidPhoneNumberError } from './whatsapp.errors';
export { E164, WHATSAPP_COMMAND_ACTIONS, WORKER_EVENT_ACTIONS, type WorkerEvent } from './whatsapp-messages';
export { parseWhatsappCommand } from './whatsapp-command.parser';
export { parseHeartbeat, parseWorkerEvent } from './worker-event.parser';
