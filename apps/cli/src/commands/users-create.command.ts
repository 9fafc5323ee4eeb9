import { ROLES, Role, UserInputError, UsersService } from '@app/auth';
import { AppError } from '@app/common';
import { Command, Option, SubCommand } from 'nest-commander';
import { CommandReport, ReportingCommand } from '../output/reporting-command';
import { CommandGroup } from '../command-group';

interface UsersCreateOptions {
  username: string;
  password: string;
  email?: string;
  role?: Role;
}

@SubCommand({ name: 'create', description: 'Create an account (customer unless --role says otherwise)' })
export class UsersCreateCommand extends ReportingCommand<UsersCreateOptions> {
  constructor(private readonly users: UsersService) {
    super();
  }

  protected async execute(_args: string[], options: UsersCreateOptions): Promise<CommandReport> {
    const { id, username, email, role } = await this.users.create(options).catch((error: unknown) => {
      // Invalid input is the user's to fix: one line (`username: A user with that username already exists.`), no stack.
      throw error instanceof UserInputError ? new AppError('invalid', error.message) : error;
    });
    return { human: [`Created ${role} "${username}" (id ${id}).`], json: { id, username, email, role } };
  }

  @Option({ flags: '--username <username>', description: 'Login name (unique, case-sensitive)', required: true })
  parseUsername(value: string): string {
    return value;
  }

  @Option({ flags: '--password <password>', description: 'At least 8 characters', required: true })
  parsePassword(value: string): string {
    return value;
  }

  @Option({ flags: '--email <email>', description: 'Email address' })
  parseEmail(value: string): string {
    return value;
  }

  @Option({ flags: '--role <role>', description: `One of ${ROLES.join(', ')} (default customer)`, choices: [...ROLES] })
  parseRole(value: string): Role {
    return value as Role;
  }
}

@Command({ name: 'users', description: 'Manage accounts', subCommands: [UsersCreateCommand] })
export class UsersCommand extends CommandGroup {}
