import { MigrationService } from '@app/database';
import { Command } from 'nest-commander';
import { CommandReport, ReportingCommand } from '../output/reporting-command';

export const MIGRATE_COMMAND = 'migrate';

@Command({ name: MIGRATE_COMMAND, description: 'Apply the pending database migrations' })
export class MigrateCommand extends ReportingCommand {
  constructor(private readonly migrations: MigrationService) {
    super();
  }

  protected async execute(): Promise<CommandReport> {
    const applied = await this.migrations.run();
    const human =
      applied.length === 0
        ? ['The database schema is up to date: no migration to apply.']
        : [...applied.map((name) => `Applied ${name}`), `${applied.length} migration(s) applied.`];
    return { human, json: { applied } };
  }
}
