import { ApiProperty } from '@nestjs/swagger';

// Documentation only: these endpoints read `unknown` bodies and validate them like DRF
// serializers (the global ValidationPipe's `{detail, code}` shape is not simplejwt's).

export class ObtainTokenDto {
  @ApiProperty({ example: 'alice' }) username!: string;
  @ApiProperty({ example: 'correct horse battery staple' }) password!: string;
}

export class RefreshTokenDto {
  @ApiProperty({ description: 'A refresh token.' }) refresh!: string;
}

export class VerifyTokenDto {
  @ApiProperty({ description: 'An access or refresh token.' }) token!: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'Access token (JWT): `token_type`, `exp`, `iat`, `jti`, `user_id`, `role`.' })
  access!: string;
  @ApiProperty({ description: 'Refresh token (JWT); rotated on every refresh.' }) refresh!: string;
}

export class RegisterUserDto {
  @ApiProperty({ example: 'alice', maxLength: 150 }) username!: string;
  @ApiProperty({ example: 'alice@example.com' }) email!: string;
  @ApiProperty({ example: 'correct horse battery staple', minLength: 8 }) password!: string;
}

export class RegisteredUserDto {
  @ApiProperty({ example: 1 }) id!: number;
  @ApiProperty({ example: 'alice' }) username!: string;
  @ApiProperty({ example: 'alice@example.com' }) email!: string;
  @ApiProperty({ example: 'customer', enum: ['customer', 'vendor', 'admin'] }) role!: string;
}

export const TOKEN_NOT_VALID_EXAMPLES = {
  expired: { value: { detail: 'Token is expired', code: 'token_not_valid' } },
  invalid: { value: { detail: 'Token is invalid', code: 'token_not_valid' } },
  blacklisted: { value: { detail: 'Token is blacklisted', code: 'token_not_valid' } },
  wrongType: { value: { detail: 'Token has wrong type', code: 'token_not_valid' } },
};

export class ChangePasswordDto {
  @ApiProperty({ example: 'correct horse battery staple' }) old_password!: string;
  @ApiProperty({ example: 'a new, longer passphrase', minLength: 8 }) new_password1!: string;
  @ApiProperty({ example: 'a new, longer passphrase', minLength: 8 }) new_password2!: string;
}

export class PasswordChangedDto extends TokenPairDto {
  @ApiProperty({ example: 'New password has been saved.' }) detail!: string;
}
