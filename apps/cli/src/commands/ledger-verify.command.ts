import { LedgerDriftError, LedgerVerifier } from '@app/ledger';
import { Command, SubCommand } from 'nest-commander';
import { CommandReport, ReportingCommand } from '../output/reporting-command';
import { CommandGroup } from '../command-group';

@SubCommand({
  name: 'verify',
  description: 'Check every account against the journal and the active tokens; exit 1 on drift',
})
export class LedgerVerifyCommand extends ReportingCommand {
  constructor(private readonly verifier: LedgerVerifier) {
    super();
  }

  protected async execute(): Promise<CommandReport> {
    const { accounts, problems } = await this.verifier.run();
    const consistent = problems.length === 0;
    return {
      human: consistent ? [`Ledger consistent: ${accounts} account(s) checked, no drift.`] : problems,
      json: { consistent, accounts, problems },
      failure: consistent ? undefined : new LedgerDriftError(problems.length),
    };
  }
}

@Command({ name: 'ledger', description: 'Inspect the points ledger', subCommands: [LedgerVerifyCommand] })
export class LedgerCommand extends CommandGroup {}
