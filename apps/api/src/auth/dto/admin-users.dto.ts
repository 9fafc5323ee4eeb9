import { ROLES, Role } from '@app/auth';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

/** `POST /api/admin/users/`: the CLI's `users create`; the account rules are the auth lib's (DRF field errors). */
export class CreateUserDto {
  @ApiProperty({ example: 'vera', maxLength: 150 })
  @IsString()
  @MaxLength(150)
  username!: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 8 })
  @IsString()
  @MaxLength(4096)
  password!: string;

  @ApiPropertyOptional({ example: 'vera@example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ enum: ROLES, default: 'customer', example: 'vendor' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;
}
