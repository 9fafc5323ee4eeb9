import { LedgerDriftError, LedgerVerifier } from '@app/ledger';
import { Command, CommandRunner, SubCommand } from 'nest-commander';

@SubCommand({
  name: 'verify',
  description: 'Check every account against the journal and the active tokens; exit 1 on drift',
})
export class LedgerVerifyCommand extends CommandRunner {
  constructor(private readonly verifier: LedgerVerifier) {
    super();
  }

  async run(): Promise<void> {
    const result = await this.verifier.run();
    if (result.problems.length > 0) {
      result.problems.forEach((problem) => process.stdout.write(`${problem}\n`));
      throw new LedgerDriftError(result.problems.length);
    }
    process.stdout.write(`Ledger consistent: ${result.accounts} account(s) checked, no drift.\n`);
  }
}

@Command({ name: 'ledger', description: 'Inspect the points ledger', subCommands: [LedgerVerifyCommand] })
export class LedgerCommand extends CommandRunner {
  run(): Promise<void> {
    return Promise.reject(new Error('Missing subcommand: try `ledger verify --help`'));
  }
}
