import { CredentialThrottleService, ThrottledAction } from '@app/auth';
import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiResponse } from '@nestjs/swagger';
import { Request } from 'express';
import { Observable, catchError, concatMap } from 'rxjs';
import { errorResponse } from '../http/error-responses';
import { ExactHttpError } from '../http/exact-http-error';
import { AuthenticatedRequest } from './guard/current-user.decorator';

const THROTTLED_ACTION = 'hourglass:throttled-action';

/** Why each endpoint may answer 429 (Swagger), in the words of the policy (README, *Throttling*). */
const REFUSALS: Record<ThrottledAction, string> = {
  obtain:
    'AUTH_THROTTLE_LIMIT failed logins for this username from this client IP, or AUTH_THROTTLE_IP_LIMIT from this IP, within AUTH_THROTTLE_TTL: refused for AUTH_THROTTLE_TTL, even with the right password. Past AUTH_THROTTLE_USERNAME_LIMIT failures from all IPs the username is under attack: a client that already failed for it is refused until its failures age out, any other still gets its attempt checked. A successful login counts nothing.',
  refresh:
    'AUTH_THROTTLE_LIMIT refused refresh tokens from this client IP within AUTH_THROTTLE_TTL: refused for AUTH_THROTTLE_TTL. A successful refresh counts nothing.',
  register:
    'AUTH_THROTTLE_LIMIT registration attempts from this client IP, or for this username, within AUTH_THROTTLE_TTL: refused for AUTH_THROTTLE_TTL.',
  password_change:
    'AUTH_THROTTLE_LIMIT wrong current passwords for this user (from any IP), or AUTH_THROTTLE_IP_LIMIT from this client IP, within AUTH_THROTTLE_TTL: refused for AUTH_THROTTLE_TTL. A successful change counts nothing.',
};

/** The submitted `username` (usernames are case-sensitive, so only trimmed, as the DTOs trim it). */
function submittedUsername(request: Request): string | undefined {
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || !('username' in body) || typeof body.username !== 'string') {
    return undefined;
  }
  const username = body.username.trim();
  return username === '' ? undefined : username;
}

/** DRF's `Throttled` (`rest_framework.exceptions`): same sentence, singular for one second. */
export function throttledError(waitSeconds: number): ExactHttpError {
  const wait = Math.max(1, Math.ceil(waitSeconds));
  const detail = `Request was throttled. Expected available in ${wait} ${wait === 1 ? 'second' : 'seconds'}.`;
  return new ExactHttpError(429, { detail, code: 'throttled' }, { 'Retry-After': String(wait) });
}

/**
 * The credential throttle around one endpoint: the attempt is admitted (its hits held in the
 * database) before the handler checks anything, or refused with DRF's 429; once the handler has
 * answered, the attempt is settled with its outcome before the answer leaves, so the next request
 * of the same client sees it. The client IP is `req.ip`: `X-Forwarded-For` from loopback proxies only.
 */
@Injectable()
export class AuthThrottleInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly throttle: CredentialThrottleService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const action = this.reflector.get<ThrottledAction | undefined>(THROTTLED_ACTION, context.getHandler());
    if (action === undefined || context.getType() !== 'http') {
      return next.handle();
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const admission = await this.throttle.begin(action, {
      ip: request.ip ?? request.socket.remoteAddress ?? 'unknown',
      username: submittedUsername(request),
      userId: request.user?.id,
    });
    if (!admission.admitted) {
      throw throttledError(admission.retryAfterSeconds);
    }
    const { attempt } = admission;
    return next.handle().pipe(
      concatMap(async (result: unknown) => {
        await attempt.finish();
        return result;
      }),
      catchError(async (error: unknown) => {
        await attempt.finish(error);
        throw error;
      }),
    );
  }
}

/**
 * Throttles one credential endpoint with the policy of `action` (README, *Throttling*): failures
 * are counted, not requests. Only the routes that carry it are throttled.
 */
export function AuthThrottle(action: ThrottledAction): MethodDecorator {
  return applyDecorators(
    SetMetadata(THROTTLED_ACTION, action),
    UseInterceptors(AuthThrottleInterceptor),
    ApiResponse({
      status: 429,
      ...errorResponse(
        { detail: 'Request was throttled. Expected available in 42 seconds.', code: 'throttled' },
        {
          description: REFUSALS[action],
          headers: {
            'Retry-After': { description: 'Seconds until a new attempt is accepted.', schema: { type: 'integer' } },
          },
        },
      ),
    }),
  );
}
