import { Logger } from '@nestjs/common';
import { DatabaseNotifications, SiblingRelay } from '@app/database';
import { AnnounceRequest, Announced, DeliverRequest, Delivered, isMessage } from './cluster-messages';

/** Past this the announcement is given up on: the NOTIFY reaches the siblings a moment later anyway. */
const ANNOUNCE_TIMEOUT_MS = 2_000;

/**
 * An API process's way to its siblings of the cluster, through the primary: what this process
 * announces (a user's revocation) is handed to every other process's subscribers before
 * `deliver` resolves, so the next request is refused whichever process the primary gives it to —
 * the primary hands out connections on the same channel, after the answer.
 */
export class ClusterSiblingRelay implements SiblingRelay {
  private readonly logger = new Logger('Cluster');
  private readonly pending = new Map<number, () => void>();
  private notifications?: DatabaseNotifications;
  private nextId = 0;

  constructor() {
    process.on('message', (message: unknown) => {
      if (isMessage<DeliverRequest>(message, 'hourglass:deliver')) {
        // Before the app exists there is no subscriber, hence nothing to drop.
        this.notifications?.publishLocally(message.channel, message.payload);
        const delivered: Delivered = { type: 'hourglass:delivered', id: message.id };
        process.send?.(delivered);
      } else if (isMessage<Announced>(message, 'hourglass:announced')) {
        this.pending.get(message.id)?.();
      }
    });
  }

  /** The app's notifications, once it is built: deliveries reach its subscribers from then on. */
  attach(notifications: DatabaseNotifications): void {
    this.notifications = notifications;
    notifications.useSiblings(this);
  }

  deliver(channel: string, payload: string): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.logger.warn(`The other API processes did not confirm a ${channel} notification in time`);
        resolve();
      }, ANNOUNCE_TIMEOUT_MS);
      this.pending.set(id, () => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve();
      });
      const request: AnnounceRequest = { type: 'hourglass:announce', id, channel, payload };
      process.send?.(request);
    });
  }
}
