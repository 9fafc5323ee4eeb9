import { TokensService } from '@app/auth';
import { Command } from 'nest-commander';
import { CommandReport, ReportingCommand } from '../output/reporting-command';

/** simplejwt's `flushexpiredtokens`: the same purge as the API's daily cron. */
@Command({ name: 'flush-expired-tokens', description: 'Delete expired refresh tokens from the store' })
export class FlushExpiredTokensCommand extends ReportingCommand {
  constructor(private readonly tokens: TokensService) {
    super();
  }

  protected async execute(): Promise<CommandReport> {
    const deleted = await this.tokens.flushExpired();
    return { human: [`Deleted ${deleted} expired refresh token(s).`], json: { deleted } };
  }
}
