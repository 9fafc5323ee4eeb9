import { Database } from '@app/database';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Command } from 'commander';
import { InjectCommander } from 'nest-commander';

/** The program's name in help and usage lines: the way the README runs the CLI. */
export const CLI_NAME = 'npm run cli --';

/**
 * Connects the database just before a command's action runs, not while Nest builds the commands:
 * help, unknown commands and usage errors, which commander answers before any action, never open
 * (or wait for) a database. A command group run without its subcommand only prints a hint, so it
 * does not connect either.
 */
@Injectable()
export class CliProgram implements OnModuleInit {
  constructor(
    @InjectCommander() private readonly program: Command,
    private readonly database: Database,
  ) {}

  onModuleInit(): void {
    this.program.name(CLI_NAME).hook('preAction', async (_program, action) => {
      if (action.commands.length === 0) {
        await this.database.connect();
      }
    });
  }
}
