import { AuthenticatedUser, TokensService } from '@app/auth';
import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { Request } from 'express';
import { notAuthenticated } from '../simplejwt-errors';
import { bearerToken } from './bearer-token';
import { refreshExpiredAccess } from './refresh-middleware';

/**
 * simplejwt's `JWTAuthentication`: the Bearer access token authenticates its user through
 * `TokensService` (a verified-token cache and a user cache: no database round trip on a warm
 * request), with the refresh middleware as a fallback for an expired one. Refusals are thrown as
 * they are (auth domain errors, simplejwt's bodies), for the exception filter to answer.
 *
 * Called by the guard directly, not through passport: passport would build a strategy object and
 * its callbacks for every request, and keep one strategy registry for every app of the process.
 */
@Injectable()
export class JwtStrategy {
  constructor(
    private readonly tokens: TokensService,
    private readonly config: AppConfig,
  ) {}

  async authenticate(request: Request): Promise<AuthenticatedUser> {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) {
      throw notAuthenticated();
    }
    try {
      return await this.tokens.authenticateAccess(token);
    } catch (error) {
      const refreshed = this.config.JWT_REFRESH_MIDDLEWARE
        ? await refreshExpiredAccess(this.tokens, this.config, token, request)
        : undefined;
      if (refreshed === undefined) {
        throw error;
      }
      return refreshed;
    }
  }
}
