import { Injectable } from '@nestjs/common';
import { AccountDrift, LedgerVerifyRepository } from './ledger-verify.repository';

export interface LedgerVerification {
  accounts: number;
  drift: AccountDrift[];
  tokenProblems: string[];
  /** One line per problem, for `ledger verify`. */
  problems: string[];
}

/**
 * Checks the books: balances and held against the journal, held against the active tokens, and
 * every token's entries. Each check is one statement, so it reads one consistent snapshot and
 * is safe to run while tokens are being created, redeemed and swept.
 */
@Injectable()
export class LedgerVerifier {
  constructor(private readonly verify: LedgerVerifyRepository) {}

  async run(): Promise<LedgerVerification> {
    const [accounts, drift, tokenProblems] = await Promise.all([
      this.verify.accountCount(),
      this.verify.accountDrift(),
      this.verify.tokenProblems(),
    ]);
    const problems = [
      ...drift.map(
        (d) =>
          `user ${d.username} (id ${d.userId}): balance ${d.balance} held ${d.held}; journal says balance ${d.journalBalance} held ${d.journalHeld}; active tokens hold ${d.activeTokens}`,
      ),
      ...tokenProblems,
    ];
    return { accounts, drift, tokenProblems, problems };
  }
}
