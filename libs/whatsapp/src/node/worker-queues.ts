import { AppConfig } from '@app/config';
import { WORKER_COMMANDS_QUEUE, workerCommandQueue } from '@app/messaging';

/** The shared command queue (any worker takes a new validation) and this worker's own queue. */
export function workerQueues(config: AppConfig): string[] {
  return [WORKER_COMMANDS_QUEUE, workerCommandQueue(config.WORKER_ID)];
}
