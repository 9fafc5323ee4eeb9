import { AppError } from '@app/common';
import { AppConfig } from '@app/config';
import { Database, MigrationService } from '@app/database';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Command } from 'commander';
import { InjectCommander } from 'nest-commander';
import { CLI_NAME } from './cli-name';
import { MIGRATE_COMMAND } from './commands/migrate.command';

/** A server's schema lacks migrations: the CLI applies them itself only to the embedded database. */
export class PendingMigrationsError extends AppError {
  constructor(pending: string[]) {
    super(
      'pending_migrations',
      `The database schema is not up to date (${pending.length} pending migration(s), from ${pending[0]}): ` +
        `run \`${CLI_NAME} migrate\` first (starting the API applies them too).`,
      503,
    );
  }
}

/**
 * Connects the database just before a command's action runs, not while Nest builds the commands:
 * help, unknown commands and usage errors, which commander answers before any action, never open
 * (or wait for) a database. A command group run without a known subcommand only reports a usage
 * error (`CommandGroup`), so it does not connect either.
 *
 * Before any command but `migrate`, the schema must be current: pending migrations are applied on
 * the embedded database (which this CLI may be the first to open) and refused in one line on a
 * server, whose schema is the API's and `migrate`'s to change. Two small queries, so a command
 * never fails half-way on a missing table.
 */
@Injectable()
export class CliProgram implements OnModuleInit {
  constructor(
    @InjectCommander() private readonly program: Command,
    private readonly database: Database,
    private readonly migrations: MigrationService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.program.name(CLI_NAME).hook('preAction', async (_program, action) => {
      if (action.commands.length > 0) {
        return;
      }
      await this.database.connect();
      if (action.name() !== MIGRATE_COMMAND) {
        await this.requireCurrentSchema();
      }
    });
  }

  private async requireCurrentSchema(): Promise<void> {
    const pending = await this.migrations.pending();
    if (pending.length === 0) {
      return;
    }
    if (!this.config.embeddedDatabase) {
      throw new PendingMigrationsError(pending);
    }
    await this.migrations.run();
  }
}
