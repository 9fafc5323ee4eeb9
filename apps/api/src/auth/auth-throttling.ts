import { ExactHttpError } from '../http/exact-http-error';
import { AuthModule, ThrottleCountersService } from '@app/auth';
import { AppConfig } from '@app/config';
import { ExecutionContext, Injectable, Module, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { SkipThrottle, ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModule } from '@nestjs/throttler';
import { Request } from 'express';
import { DatabaseThrottlerStorage } from './database-throttler-storage';

/** Counters: one per client IP (`req.ip`, which honours `X-Forwarded-For` from loopback proxies only). */
const BY_IP = 'ip';
/** Counters: one per submitted username (exact, case-sensitive, trimmed); absent username → not counted. */
const BY_USERNAME = 'username';

/** The submitted `username` as the per-username tracker: usernames are case-sensitive, so only trimmed. */
function submittedUsername(request: Request): string | undefined {
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || !('username' in body) || typeof body.username !== 'string') {
    return undefined;
  }
  const username = body.username.trim();
  return username === '' ? undefined : username;
}

const usernameOf = (context: ExecutionContext) => submittedUsername(context.switchToHttp().getRequest<Request>());

/** DRF's `Throttled` (`rest_framework.exceptions`): same sentence, singular for one second. */
export function throttledError(waitSeconds: number): ExactHttpError {
  const wait = Math.max(1, Math.ceil(waitSeconds));
  const detail = `Request was throttled. Expected available in ${wait} ${wait === 1 ? 'second' : 'seconds'}.`;
  return new ExactHttpError(429, { detail, code: 'throttled' }, { 'Retry-After': String(wait) });
}

/**
 * `@nestjs/throttler`'s guard with the one mapping of its refusal: a 429 with DRF's body and a
 * `Retry-After` in seconds (the library's own `ThrottlerException` and headers are not used).
 */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  protected override throwThrottlingException(_context: ExecutionContext, limit: ThrottlerLimitDetail): Promise<void> {
    return Promise.reject(throttledError(limit.timeToBlockExpire));
  }
}

/**
 * Rate limits of the credential endpoints (AUTH_THROTTLE_LIMIT per AUTH_THROTTLE_TTL), counted per
 * endpoint, per client IP and per username, in the database: one count for every API process and
 * replica.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [AuthModule],
      inject: [AppConfig, ThrottleCountersService],
      useFactory: (config: AppConfig, counters: ThrottleCountersService) => ({
        storage: new DatabaseThrottlerStorage(counters),
        setHeaders: false,
        throttlers: [
          { name: BY_IP, limit: config.AUTH_THROTTLE_LIMIT, ttl: config.AUTH_THROTTLE_TTL },
          {
            name: BY_USERNAME,
            limit: config.AUTH_THROTTLE_LIMIT,
            ttl: config.AUTH_THROTTLE_TTL,
            skipIf: (context) => usernameOf(context) === undefined,
            getTracker: (request) => submittedUsername(request as Request) ?? '',
          },
        ],
      }),
    }),
  ],
  providers: [AuthThrottlerGuard],
  exports: [AuthThrottlerGuard],
})
export class AuthThrottlingModule {}

/**
 * Throttles one credential endpoint per client IP and, unless `perUsername: false` (refresh, whose
 * body holds no username), per submitted username. Only the routes that carry it are throttled.
 */
export function AuthThrottle(options: { perUsername?: boolean } = {}): MethodDecorator & ClassDecorator {
  const perUsername = options.perUsername ?? true;
  return applyDecorators(
    UseGuards(AuthThrottlerGuard),
    ...(perUsername ? [] : [SkipThrottle({ [BY_USERNAME]: true })]),
    ApiResponse({
      status: 429,
      description: `Too many attempts from this client IP${perUsername ? ' or for this username' : ''} (AUTH_THROTTLE_LIMIT per AUTH_THROTTLE_TTL).`,
      headers: {
        'Retry-After': { description: 'Seconds until a new attempt is accepted.', schema: { type: 'integer' } },
      },
      schema: { example: { detail: 'Request was throttled. Expected available in 42 seconds.', code: 'throttled' } },
    }),
  );
}
