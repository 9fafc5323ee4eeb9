import { ApiProperty } from '@nestjs/swagger';
import { DrfCharField } from '../drf/drf-char-field';
import { TokenPairDto } from './token.dto';

// Request DTOs validated by `@DrfBody()`; the account rules themselves (username characters,
// email form, password length) are the auth lib's, answered as DRF field errors too.

export class RegisterUserDto {
  @DrfCharField({ api: { example: 'alice', maxLength: 150 } }) username!: string;
  @DrfCharField({ api: { example: 'alice@example.com' } }) email!: string;
  @DrfCharField({ trimWhitespace: false, api: { example: 'correct horse battery staple', minLength: 8 } })
  password!: string;
}

export class RegisteredUserDto {
  @ApiProperty({ example: 1 }) id!: number;
  @ApiProperty({ example: 'alice' }) username!: string;
  @ApiProperty({ example: 'alice@example.com' }) email!: string;
  @ApiProperty({ example: 'customer', enum: ['customer', 'vendor', 'admin'] }) role!: string;
}

/** dj-rest-auth's body; its serializer's CharFields trim, so a password of spaces is blank here. */
export class ChangePasswordDto {
  @DrfCharField({ api: { example: 'correct horse battery staple' } }) old_password!: string;
  @DrfCharField({ api: { example: 'a new, longer passphrase', minLength: 8 } }) new_password1!: string;
  @DrfCharField({ api: { example: 'a new, longer passphrase', minLength: 8 } }) new_password2!: string;
}

export class PasswordChangedDto extends TokenPairDto {
  @ApiProperty({ example: 'New password has been saved.' }) detail!: string;
}
