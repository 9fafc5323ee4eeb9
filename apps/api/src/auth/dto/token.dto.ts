import { ApiProperty } from '@nestjs/swagger';
import { DrfCharField } from '../drf/drf-char-field';

// Request DTOs of the simplejwt views, validated by `@DrfBody()` (DRF's field map on a 400).

export class ObtainTokenDto {
  @DrfCharField({ api: { example: 'alice' } }) username!: string;
  /** simplejwt's `PasswordField`: not trimmed. */
  @DrfCharField({ trimWhitespace: false, api: { example: 'correct horse battery staple' } }) password!: string;
}

/** The shape of a refresh token (header, claims, signature), for Swagger's "Try it out". */
const EXAMPLE_REFRESH_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6MTc2NTYzMzgwMCwiaWF0IjoxNzY1MDI5MDAwLCJqdGkiOiI0ZjFjLi4uIiwidXNlcl9pZCI6MX0.c2lnbmF0dXJl';

export class RefreshTokenDto {
  @DrfCharField({ api: { description: 'A refresh token.', example: EXAMPLE_REFRESH_TOKEN } }) refresh!: string;
}

export class VerifyTokenDto {
  @DrfCharField({ api: { description: 'An access or refresh token.', example: EXAMPLE_REFRESH_TOKEN } })
  token!: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'Access token (JWT): `token_type`, `exp`, `iat`, `jti`, `user_id`, `role`.' })
  access!: string;
  @ApiProperty({ description: 'Refresh token (JWT); rotated on every refresh.' }) refresh!: string;
}

export const TOKEN_NOT_VALID_EXAMPLES = {
  expired: { value: { detail: 'Token is expired', code: 'token_not_valid' } },
  invalid: { value: { detail: 'Token is invalid', code: 'token_not_valid' } },
  blacklisted: { value: { detail: 'Token is blacklisted', code: 'token_not_valid' } },
  wrongType: { value: { detail: 'Token has wrong type', code: 'token_not_valid' } },
};
