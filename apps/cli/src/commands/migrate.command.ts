import { MigrationService } from '@app/database';
import { Command, CommandRunner } from 'nest-commander';

@Command({ name: 'migrate', description: 'Apply the pending database migrations' })
export class MigrateCommand extends CommandRunner {
  constructor(private readonly migrations: MigrationService) {
    super();
  }

  async run(): Promise<void> {
    const applied = await this.migrations.run();
    if (applied.length === 0) {
      process.stdout.write('The database schema is up to date: no migration to apply.\n');
      return;
    }
    for (const name of applied) {
      process.stdout.write(`Applied ${name}\n`);
    }
    process.stdout.write(`${applied.length} migration(s) applied.\n`);
  }
}
