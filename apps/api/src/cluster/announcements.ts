import { Worker } from 'node:cluster';
import { AnnounceRequest, Announced, DeliverRequest } from './cluster-messages';

/** A process that does not confirm by then is not waited for (the NOTIFY still reaches it). */
const DELIVERY_TIMEOUT_MS = 1_500;

interface Pending {
  origin: Worker;
  originId: number;
  waiting: Set<Worker>;
  timer: NodeJS.Timeout;
}

/** Sends on the IPC channel; a channel that has just closed is not an error (its process is gone). */
export function sendTo(worker: Worker, message: object): void {
  if (worker.isConnected()) {
    worker.send(message, () => undefined);
  }
}

/**
 * The primary's relay of announcements (see `ClusterSiblingRelay`): every other API process hands
 * the notification to its subscribers and confirms, then the announcing process is told.
 */
export class Announcements {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  announce(origin: Worker, request: AnnounceRequest, workers: Iterable<Worker>): void {
    const id = this.nextId++;
    const waiting = new Set([...workers].filter((worker) => worker !== origin && worker.isConnected()));
    const timer = setTimeout(() => this.finish(id), DELIVERY_TIMEOUT_MS);
    this.pending.set(id, { origin, originId: request.id, waiting, timer });
    const deliver: DeliverRequest = {
      type: 'hourglass:deliver',
      id,
      channel: request.channel,
      payload: request.payload,
    };
    waiting.forEach((worker) => sendTo(worker, deliver));
    if (waiting.size === 0) {
      this.finish(id);
    }
  }

  delivered(worker: Worker, id: number): void {
    const entry = this.pending.get(id);
    entry?.waiting.delete(worker);
    if (entry?.waiting.size === 0) {
      this.finish(id);
    }
  }

  /** A process exited: nobody waits for it any more. */
  gone(worker: Worker): void {
    for (const [id, entry] of this.pending) {
      if (entry.waiting.delete(worker) && entry.waiting.size === 0) {
        this.finish(id);
      }
    }
  }

  private finish(id: number): void {
    const entry = this.pending.get(id);
    if (entry === undefined) {
      return;
    }
    clearTimeout(entry.timer);
    this.pending.delete(id);
    const announced: Announced = { type: 'hourglass:announced', id: entry.originId };
    sendTo(entry.origin, announced);
  }
}
