import { AppError } from '@app/common';
import { LedgerService } from '@app/ledger';
import { Command, Option, SubCommand } from 'nest-commander';
import { CommandReport, ReportingCommand } from '../output/reporting-command';
import { CommandGroup } from '../command-group';

interface PointsGrantOptions {
  username: string;
  points: number;
  reason?: string;
}

@SubCommand({ name: 'grant', description: 'Credit points to a user (a grant entry in the ledger)' })
export class PointsGrantCommand extends ReportingCommand<PointsGrantOptions> {
  constructor(private readonly ledger: LedgerService) {
    super();
  }

  protected async execute(_args: string[], { username, points, reason }: PointsGrantOptions): Promise<CommandReport> {
    const { balance } = await this.ledger.grant(username, points, reason);
    return {
      human: [`Granted ${points} points to ${username}; balance is now ${balance}.`],
      json: { username, points, balance },
    };
  }

  @Option({ flags: '--username <username>', description: 'Who receives the points', required: true })
  parseUsername(value: string): string {
    return value;
  }

  @Option({ flags: '--points <points>', description: 'A positive integer', required: true })
  parsePoints(value: string): number {
    // Digits only: Number('1e3') or Number(' 5') would slip through a plain conversion.
    if (!/^\d+$/.test(value)) {
      throw new AppError('invalid', `--points must be a positive integer, got "${value}"`);
    }
    return Number(value);
  }

  @Option({ flags: '--reason <reason>', description: 'Why, kept in the journal' })
  parseReason(value: string): string {
    return value;
  }
}

@Command({ name: 'points', description: 'Manage point balances', subCommands: [PointsGrantCommand] })
export class PointsCommand extends CommandGroup {}
