import { AppConfig } from '@app/config';
import { JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CronExpression } from '@nestjs/schedule';
import { OutboxRepository } from './outbox.repository';

export const OUTBOX_PURGE_JOB = 'outbox-purge';

/** Deletes published events older than EVENTS_RETENTION, every minute, one replica per run. */
@Injectable()
export class OutboxPurgeCron implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobScheduler,
    private readonly outbox: OutboxRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule({
      name: OUTBOX_PURGE_JOB,
      schedule: { cron: CronExpression.EVERY_MINUTE },
      replicas: 'one-at-a-time',
      run: async () => {
        const purged = await this.outbox.purgeSent(this.config.EVENTS_RETENTION);
        return purged > 0 ? `Purged ${purged} published domain event(s)` : undefined;
      },
    });
  }
}
