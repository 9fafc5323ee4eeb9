import { AuthenticatedUser, TokensService } from '@app/auth';
import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PassportStrategy } from '@nestjs/passport';
import { Request } from 'express';
import { Strategy } from 'passport-custom';
import { notAuthenticated } from '../simplejwt-errors';
import { bearerToken } from './bearer-token';
import { refreshExpiredAccess } from './refresh-middleware';

export const JWT_STRATEGY = 'jwt';

/**
 * simplejwt's `JWTAuthentication` as a passport strategy: the Bearer access token authenticates
 * its user through `TokensService` (a verified-token cache and a user cache: no database round
 * trip on a warm request), with the refresh middleware as a fallback for an expired one.
 * Refusals are thrown as they are (auth domain errors, simplejwt's bodies); the guard rethrows them.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  /**
   * passport's strategy registry is process-wide: the last API app to start would authenticate
   * the requests of every app in the process (tests run replicas side by side). Each request is
   * handled by the strategy of the Express app that received it.
   */
  private static readonly byApp = new WeakMap<object, JwtStrategy>();

  constructor(
    private readonly tokens: TokensService,
    private readonly config: AppConfig,
    adapterHost: HttpAdapterHost,
  ) {
    super();
    JwtStrategy.byApp.set(adapterHost.httpAdapter.getInstance<object>(), this);
  }

  validate(request: Request): Promise<AuthenticatedUser> {
    return (JwtStrategy.byApp.get(request.app) ?? this).authenticateRequest(request);
  }

  private async authenticateRequest(request: Request): Promise<AuthenticatedUser> {
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
