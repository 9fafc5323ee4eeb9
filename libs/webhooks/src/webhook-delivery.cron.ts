import { AppConfig } from '@app/config';
import { JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CronExpression } from '@nestjs/schedule';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhooksRepository } from './webhooks.repository';

export const WEBHOOK_DELIVERY_JOB = 'webhook-delivery';
export const WEBHOOK_PURGE_JOB = 'webhook-delivery-purge';

/**
 * Claims and starts due webhook deliveries every WEBHOOK_DELIVERY_INTERVAL, and again whenever a
 * request ends (a slot is free). Every replica ticks; SKIP LOCKED claims keep them apart. A tick
 * only claims: the requests run in the background, so a slow target never delays the next tick.
 * Also purges finished deliveries older than WEBHOOK_DELIVERY_RETENTION, every minute.
 */
@Injectable()
export class WebhookDeliveryCron implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobScheduler,
    private readonly deliveries: WebhookDeliveryService,
    private readonly repository: WebhooksRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule({
      name: WEBHOOK_DELIVERY_JOB,
      schedule: { everyMs: this.config.WEBHOOK_DELIVERY_INTERVAL },
      replicas: 'every-process',
      failureLevel: 'warn',
      run: async () => {
        await this.deliveries.dispatch();
      },
    });
    this.deliveries.whenSlotFreed(() => void this.jobs.run(WEBHOOK_DELIVERY_JOB));
    // The delivery log of finished deliveries is kept WEBHOOK_DELIVERY_RETENTION, then purged (one replica per run).
    this.jobs.schedule({
      name: WEBHOOK_PURGE_JOB,
      schedule: { cron: CronExpression.EVERY_MINUTE },
      replicas: 'one-at-a-time',
      run: async () => {
        const purged = await this.repository.purgeFinished(this.config.WEBHOOK_DELIVERY_RETENTION);
        return purged > 0 ? `Purged ${purged} finished webhook deliveries` : undefined;
      },
    });
  }
}
