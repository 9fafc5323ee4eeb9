import { Role } from '@app/auth';
import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { TokenNotValidDto } from '../../http/error-body.dto';
import { errorResponse } from '../../http/error-responses';

/** Who may call a route. Every route declares one (a test fails on an undeclared route). */
export type AccessPolicy = { kind: 'public' } | { kind: 'authenticated' } | { kind: 'roles'; roles: Role[] };

export const ACCESS_POLICY = 'hourglass:access-policy';

const UNAUTHORIZED_EXAMPLE = {
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is expired' }],
};

const documentedBearer = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse(
      errorResponse(UNAUTHORIZED_EXAMPLE, {
        description:
          'No token (`{"detail":"Authentication credentials were not provided.","code":"not_authenticated"}` with `WWW-Authenticate: Bearer realm="api"`), or a bad, expired or revoked access token.',
        type: TokenNotValidDto,
      }),
    ),
  );

/** Anyone, no token needed (login, health, metrics). */
export const Public = () => SetMetadata(ACCESS_POLICY, { kind: 'public' } satisfies AccessPolicy);

/** Any user with a valid access token. */
export const Authenticated = () =>
  applyDecorators(SetMetadata(ACCESS_POLICY, { kind: 'authenticated' } satisfies AccessPolicy), documentedBearer());

/** Users with one of `roles`; others get 403. */
export const Roles = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(ACCESS_POLICY, { kind: 'roles', roles } satisfies AccessPolicy),
    documentedBearer(),
    ApiForbiddenResponse(
      errorResponse(
        { detail: 'You do not have permission to perform this action.', code: 'permission_denied' },
        { description: 'Wrong role.' },
      ),
    ),
  );
