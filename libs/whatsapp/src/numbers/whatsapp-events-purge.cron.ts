import { JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CronExpression } from '@nestjs/schedule';
import { WhatsappNumbersService } from './whatsapp-numbers.service';

export const WHATSAPP_EVENTS_PURGE_JOB = 'whatsapp-events-purge';
/** Every process reads an applied event within moments of its commit; this is a wide margin. */
const KEEP_EVENTS_MS = 10 * 60_000;

/** Deletes the applied WhatsApp events every process has streamed, every minute, one replica per run. */
@Injectable()
export class WhatsappEventsPurgeCron implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobScheduler,
    private readonly numbers: WhatsappNumbersService,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule({
      name: WHATSAPP_EVENTS_PURGE_JOB,
      schedule: { cron: CronExpression.EVERY_MINUTE },
      replicas: 'one-at-a-time',
      run: async () => {
        const purged = await this.numbers.purgeAppliedEvents(KEEP_EVENTS_MS);
        return purged > 0 ? `Purged ${purged} streamed WhatsApp event(s)` : undefined;
      },
    });
  }
}
