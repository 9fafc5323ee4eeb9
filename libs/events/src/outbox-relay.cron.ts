import { AppConfig } from '@app/config';
import { DatabaseNotifications, JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { OutboxRelay } from './outbox-relay.service';

export const OUTBOX_RELAY_JOB = 'outbox-relay';
/** The channel the outbox's insert trigger NOTIFYs at commit. */
const OUTBOX_CHANNEL = 'outbox_events';

/**
 * Runs the relay every EVENTS_RELAY_INTERVAL and, on a server, as soon as an insert into the
 * outbox commits (its trigger NOTIFYs). Every replica ticks; the relay's own lock lets one publish.
 */
@Injectable()
export class OutboxRelayCron implements OnApplicationBootstrap {
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
        onNotification: () => void this.jobs.run(OUTBOX_RELAY_JOB),
        onGap: () => void this.jobs.run(OUTBOX_RELAY_JOB),
      });
    }
  }
}
