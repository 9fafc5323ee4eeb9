import { MigrationService } from '@app/database';
import { Injectable, OnModuleInit } from '@nestjs/common';

/**
 * The API applies pending migrations while modules initialise, before any cron job or consumer
 * starts (those begin at application bootstrap). The worker never migrates.
 */
@Injectable()
export class MigrateOnStart implements OnModuleInit {
  constructor(private readonly migrations: MigrationService) {}

  async onModuleInit(): Promise<void> {
    await this.migrations.run();
  }
}
