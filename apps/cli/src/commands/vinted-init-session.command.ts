import { AppConfig } from '@app/config';
import { VintedSessionManager } from '@app/vinted';
import { Option, SubCommand } from 'nest-commander';
import { when } from '../output/format';
import { CommandReport, ReportingCommand } from '../output/reporting-command';

interface InitSessionOptions {
  cookies: string;
  username?: string;
}

/** Seed 002's `vinted:init-session`: stores a browser cookie string, encrypted. */
@SubCommand({
  name: 'init-session',
  description: 'Store a Vinted browser cookie string for a user (default: the admin)',
})
export class VintedInitSessionCommand extends ReportingCommand<InitSessionOptions> {
  constructor(
    private readonly sessions: VintedSessionManager,
    private readonly config: AppConfig,
  ) {
    super();
  }

  protected async execute(_args: string[], options: InitSessionOptions): Promise<CommandReport> {
    const userId = await this.sessions.userIdFor(options.username, this.config.ADMIN_USERNAME);
    const { status, expiresAt } = await this.sessions.store(userId, options.cookies);
    return {
      human: [
        `Session stored for ${options.username ?? 'the admin'}: ${status}, access token expires ${when(expiresAt)}.`,
      ],
      json: { userId, status, expiresAt },
    };
  }

  @Option({
    flags: '--cookies <cookies>',
    description: 'The Cookie header of a logged-in www.vinted.fr tab',
    required: true,
  })
  parseCookies(value: string): string {
    return value;
  }

  @Option({
    flags: '--username <username>',
    description: 'The account (default: ADMIN_USERNAME, else the first admin)',
  })
  parseUsername(value: string): string {
    return value;
  }
}
