import cluster from 'node:cluster';
import { MigrationService } from '@app/database';
import { Injectable, OnModuleInit } from '@nestjs/common';

/**
 * The API applies pending migrations while modules initialise, before any cron job or consumer
 * starts (those begin at application bootstrap). The worker never migrates, and neither does an
 * API process of a cluster: its primary migrated before forking it (`cluster/migrate-once.ts`).
 */
@Injectable()
export class MigrateOnStart implements OnModuleInit {
  constructor(private readonly migrations: MigrationService) {}

  async onModuleInit(): Promise<void> {
    if (cluster.isWorker) {
      return;
    }
    await this.migrations.run();
  }
}
