import { AppConfig } from '@app/config';
import { VintedSessionManager } from '@app/vinted';
import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { line, when } from './vinted-output';

interface InitSessionOptions {
  cookies: string;
  username?: string;
}

/** Seed 002's `vinted:init-session`: stores a browser cookie string, encrypted. */
@SubCommand({
  name: 'init-session',
  description: 'Store a Vinted browser cookie string for a user (default: the admin)',
})
export class VintedInitSessionCommand extends CommandRunner {
  constructor(
    private readonly sessions: VintedSessionManager,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(_args: string[], options: InitSessionOptions): Promise<void> {
    const userId = await this.sessions.userIdFor(options.username, this.config.ADMIN_USERNAME);
    const stored = await this.sessions.store(userId, options.cookies);
    line(
      `Session stored for ${options.username ?? 'the admin'}: ${stored.status}, access token expires ${when(stored.expiresAt)}.`,
    );
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
