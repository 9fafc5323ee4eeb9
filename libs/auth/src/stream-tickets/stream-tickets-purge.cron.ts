import { JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CronExpression } from '@nestjs/schedule';
import { StreamTicketsService } from './stream-tickets.service';

export const STREAM_TICKETS_PURGE_JOB = 'stream-tickets-purge';

/** Deletes the expired stream tickets nobody presented, every minute, one replica per run. */
@Injectable()
export class StreamTicketsPurgeCron implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobScheduler,
    private readonly tickets: StreamTicketsService,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule({
      name: STREAM_TICKETS_PURGE_JOB,
      schedule: { cron: CronExpression.EVERY_MINUTE },
      replicas: 'one-at-a-time',
      run: async () => {
        const purged = await this.tickets.purgeExpired();
        return purged > 0 ? `Purged ${purged} expired stream ticket(s)` : undefined;
      },
    });
  }
}
