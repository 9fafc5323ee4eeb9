import { AppConfig } from '@app/config';
import { JobScheduler } from '@app/database';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { WebhookDeliveryService } from './webhook-delivery.service';

export const WEBHOOK_DELIVERY_JOB = 'webhook-delivery';

/**
 * Claims and starts due webhook deliveries every WEBHOOK_DELIVERY_INTERVAL, and again whenever a
 * request ends (a slot is free). Every replica ticks; SKIP LOCKED claims keep them apart. A tick
 * only claims: the requests run in the background, so a slow target never delays the next tick.
 */
@Injectable()
export class WebhookDeliveryCron implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobScheduler,
    private readonly deliveries: WebhookDeliveryService,
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
  }
}
