import { UsersService } from '@app/auth';
import { AppError } from '@app/common';
import { AppConfig } from '@app/config';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { extractTokens, parseCookieString } from '../cookies/vinted-cookies';
import { VintedSessionManager } from './vinted-session-manager.service';
import { VintedSessionsRepository } from './vinted-sessions.repository';

/**
 * VINTED_SESSION: the admin's cookies, stored at API start. Stored only when they are newer than
 * what the database holds (or nothing usable is there): the refresh token rotates, so re-storing
 * the same variable at every restart would bring back a spent token and kill a live session.
 */
@Injectable()
export class VintedSessionBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('VintedSessionManager');

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly sessions: VintedSessionsRepository,
    private readonly manager: VintedSessionManager,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const cookies = this.config.VINTED_SESSION;
    if (cookies === undefined) {
      return;
    }
    if (!this.manager.configured) {
      this.logger.warn(
        'VINTED_SESSION is set but VINTED_CREDENTIALS_SECRET is not: the session is not stored (requires_configuration)',
      );
      return;
    }
    const { ADMIN_USERNAME: username, ADMIN_PASSWORD: password } = this.config;
    if (username !== undefined && password !== undefined) {
      await this.users.ensureAdmin(username, password); // idempotent; the admin bootstrap may not have run yet
    }
    const adminId = await this.sessions.findAdminId(username);
    if (adminId === undefined) {
      this.logger.warn('VINTED_SESSION is set but there is no admin account to store it for');
      return;
    }
    try {
      const stored = await this.sessions.findByUserId(adminId);
      const incoming = extractTokens(parseCookieString(cookies));
      const newer =
        stored?.expiresAt === null ||
        stored === undefined ||
        incoming.accessExpiresAt.getTime() > stored.expiresAt.getTime();
      if (stored !== undefined && stored.status !== 'expired' && !newer) {
        this.logger.log(
          `VINTED_SESSION not stored: the session of ${stored.username} in the database is as recent or newer`,
        );
        return;
      }
      await this.manager.store(adminId, cookies);
    } catch (error) {
      // A bad VINTED_SESSION must not keep the API down: the rest works, the admin can POST cookies.
      const reason = error instanceof AppError ? error.message : 'unexpected error';
      this.logger.error(`VINTED_SESSION could not be stored: ${reason}`);
    }
  }
}
