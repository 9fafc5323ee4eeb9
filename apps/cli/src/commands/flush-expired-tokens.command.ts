import { TokensService } from '@app/auth';
import { Command, CommandRunner } from 'nest-commander';

/** simplejwt's `flushexpiredtokens`: the same purge as the API's daily cron. */
@Command({ name: 'flush-expired-tokens', description: 'Delete expired refresh tokens from the store' })
export class FlushExpiredTokensCommand extends CommandRunner {
  constructor(private readonly tokens: TokensService) {
    super();
  }

  async run(): Promise<void> {
    const deleted = await this.tokens.flushExpired();
    process.stdout.write(`Deleted ${deleted} expired refresh token(s).\n`);
  }
}
