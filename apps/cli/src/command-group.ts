import { CommandRunner } from 'nest-commander';
import { CLI_NAME } from './cli-name';

/**
 * A command that only groups subcommands (`ledger`, `users`, `points`, `vinted`, `whatsapp`).
 * Commander runs a group's own action when no known subcommand follows its name: either none
 * (`vinted`) or an unknown one (`vinted frob`). Both are usage errors, so they are answered as
 * commander answers its own (`error: …`, one line on stderr, exit status 1), naming the
 * subcommands that exist, before any database is opened (see `CliProgram`).
 */
export abstract class CommandGroup extends CommandRunner {
  run(args: string[]): Promise<void> {
    const group = this.command.name();
    const names = this.command.commands.map((subcommand) => subcommand.name());
    const expected = names.length === 1 ? names[0] : `one of ${names.join(', ')}`;
    const help = `see \`${CLI_NAME} ${group} --help\``;
    if (args.length === 0) {
      this.command.error(`error: '${group}' needs a subcommand: ${expected} (${help})`, {
        code: 'commander.missingSubcommand',
      });
    }
    this.command.error(`error: unknown command '${args[0]}' for '${group}': expected ${expected} (${help})`, {
      code: 'commander.unknownCommand',
    });
  }
}
