import { AppConfig } from '@app/config';
import { DatabaseNotifications, JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OutboxRelay } from './outbox-relay.service';

export const OUTBOX_RELAY_JOB = 'outbox-relay';
/** The channel the outbox's insert trigger NOTIFYs at commit. */
const OUTBOX_CHANNEL = 'outbox_events';
/**
 * The trigger NOTIFYs at most once per 25 ms slot (migration CheaperOutboxWrites1764520000000):
 * an event whose statement ran in a slot that had already notified, and committed after the relay
 * run that this wakeup started had read the outbox, is usually published by a run one slot later.
 * A wakeup is only a hint: an event committed later than that, or whose slot's NOTIFY was rolled
 * back with its transaction, waits for the next EVENTS_RELAY_INTERVAL poll (250 ms), never longer.
 */
const WAKEUP_SLOT_MS = 25;

/**
 * Runs the relay every EVENTS_RELAY_INTERVAL and, on a server, as soon as an insert into the
 * outbox commits (its trigger NOTIFYs). Every replica ticks; the relay's own lock lets one publish.
 */
@Injectable()
export class OutboxRelayCron implements OnApplicationBootstrap, OnApplicationShutdown {
  private trailing?: NodeJS.Timeout;

  constructor(
    private readonly jobs: JobScheduler,
    private readonly relay: OutboxRelay,
    private readonly notifications: DatabaseNotifications,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule({
      name: OUTBOX_RELAY_JOB,
      schedule: { everyMs: this.config.EVENTS_RELAY_INTERVAL },
      replicas: 'every-process',
      // A publish may wait on a broker that is down: shutdown must not wait for it (rows stay unsent).
      finishBeforeShutdown: false,
      failureLevel: 'warn',
      run: async () => {
        await this.relay.relay();
      },
    });
    if (!this.config.embeddedDatabase) {
      void this.notifications.subscribe(OUTBOX_CHANNEL, {
        onNotification: () => this.woken(),
        onGap: () => this.woken(),
      });
    }
  }

  onApplicationShutdown(): void {
    clearTimeout(this.trailing);
  }

  /**
   * Events committed: a run now (or one more pass of the run in flight), and another one slot
   * after the last wakeup of a burst (while wakeups keep coming, each one covers the slot before).
   */
  private woken(): void {
    this.relay.wake();
    void this.jobs.run(OUTBOX_RELAY_JOB);
    clearTimeout(this.trailing);
    this.trailing = setTimeout(() => {
      this.relay.wake();
      void this.jobs.run(OUTBOX_RELAY_JOB);
    }, WAKEUP_SLOT_MS).unref();
  }
}
