/**
 * Queue names of the bus (CONTRACT.md §6). Every queue `Q` has a dead-letter queue `Q.dlq`;
 * see `rabbitmq/queue-topology.ts` for the exact declaration another service must repeat.
 */

/** Worker → API: `qr_generated`, `qr_regenerating`, `connected`, `error` events. */
export const WORKER_EVENTS_QUEUE = 'whatsapp.worker.events';

/** API → any worker: `validate_number`, `simulate_scan`. */
export const WORKER_COMMANDS_QUEUE = 'whatsapp.worker.commands';

/** API → the worker that owns a session: `regenerate_qr`, `simulate_scan`. */
export function workerCommandQueue(workerId: string): string {
  return `${WORKER_COMMANDS_QUEUE}.${workerId}`;
}

/** Where messages of `queue` go once rejected for good (bad body, no handler, failed twice). */
export function deadLetterQueue(queue: string): string {
  return `${queue}.dlq`;
}

/** The `transportId` of both bus servers; `@EventPattern(action, BUS_TRANSPORT)` binds to them only. */
export const BUS_TRANSPORT = Symbol('HourglassBus');
