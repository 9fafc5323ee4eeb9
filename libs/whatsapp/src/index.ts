export { SimulatorDriver, simulatedQrPayload } from './drivers/simulator.driver';
export type { SimulatedDrop } from './drivers/simulator.driver';
export { WHATSAPP_DRIVER } from './drivers/whatsapp-driver';
export type {
  DriverName,
  DriverSession,
  DriverSessionListener,
  RestorableSession,
  SessionEndReason,
  WhatsappDriver,
} from './drivers/whatsapp-driver';
export { NUMBER_STATUSES, WhatsappNumberEntity } from './numbers/whatsapp-number.entity';
export type { NumberStatus } from './numbers/whatsapp-number.entity';
export { WhatsappNumbersModule } from './numbers/whatsapp-numbers.module';
export { WhatsappNumbersService } from './numbers/whatsapp-numbers.service';
export type { NewWhatsappNumber, WhatsappNumberView } from './numbers/whatsapp-numbers.service';
export { SessionManager } from './session/session-manager.service';
export type { EventSink, SessionManagerOptions } from './session/session-manager.service';
export { qrImageDataUrl } from './session/qr-image';
export { QrRenderPool } from './session/qr-render-pool';
export { parseWhatsappCommand } from './whatsapp-command.parser';
export * from './whatsapp.errors';
export * from './whatsapp-messages';
export { parseHeartbeat, parseWorkerEvent } from './worker-event.parser';
export { SessionLifecycle, WhatsappWorkerModule } from './whatsapp-worker.module';
export { WhatsappNodeModule } from './node/whatsapp-node.module';
export { workerQueues } from './node/worker-queues';
