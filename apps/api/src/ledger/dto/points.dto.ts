import { MAX_PAGE_SIZE } from '@app/common';
import { MAX_POINTS } from '@app/ledger';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateBy } from 'class-validator';
import { judgesTheWholeValue } from '../../http/request-errors';

const POINTS_MESSAGE = `points must be a positive integer no greater than ${MAX_POINTS}`;

/** A strict positive integer: "5", 2.5, 0, -5, 2^31 and a missing value are all refused, with one message. */
const Points = () =>
  ValidateBy(
    {
      name: 'isPoints',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_POINTS,
        defaultMessage: () => POINTS_MESSAGE,
      },
    },
    judgesTheWholeValue(),
  );

export class GrantPointsDto {
  @ApiProperty({ example: 'alice', minLength: 1, maxLength: 150 })
  @IsString()
  @MinLength(1)
  @MaxLength(150)
  username!: string;

  @ApiProperty({ type: 'integer', example: 500, minimum: 1, maximum: MAX_POINTS })
  @Points()
  points!: number;

  @ApiPropertyOptional({ example: 'Welcome bonus', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class CreateExchangeTokenDto {
  @ApiProperty({
    type: 'integer',
    example: 100,
    minimum: 1,
    maximum: MAX_POINTS,
    description: 'Points to put on hold behind the token.',
  })
  @Points()
  points!: number;
}

export class ValidateExchangeTokenDto {
  // No length or pattern check here: any string that is not a token is answered 404, not 400.
  @ApiProperty({ example: 'q3J9Zk1f0sVtQm2yR8Lx4WcA7nBpE5Hd', description: 'The token the QR code encodes.' })
  @IsString()
  token!: string;
}

export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class BalancesDto {
  @ApiProperty({ example: 400, description: 'Points the user can spend.' }) balance!: number;
  @ApiProperty({ example: 100, description: 'Points on hold behind active exchange tokens.' }) held!: number;
}

export class GrantedDto {
  @ApiProperty({ example: 500 }) balance!: number;
}

export class LedgerEntryDto {
  @ApiProperty({ example: 42 }) id!: number;
  @ApiProperty({ enum: ['grant', 'hold', 'release', 'capture'] }) type!: string;
  @ApiProperty({ example: 100 }) points!: number;
  @ApiProperty({ type: String, nullable: true }) tokenId!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class LedgerPageDto {
  @ApiProperty({ type: [LedgerEntryDto] }) entries!: LedgerEntryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ExchangeTokenDto {
  @ApiProperty({ example: 'q3J9Zk1f0sVtQm2yR8Lx4WcA7nBpE5Hd' }) token!: string;
  @ApiProperty({ example: 100 }) points!: number;
  @ApiProperty({ example: '2026-11-21T10:03:00.000Z' }) expiresAt!: string;
  @ApiProperty({ example: 180 }) expiresInSeconds!: number;
  @ApiProperty({ example: 'data:image/png;base64,iVBORw0KGgo…' }) qrCode!: string;
}

export class ExchangeRequestDto {
  @ApiProperty({ example: 7 }) id!: number;
  @ApiProperty() token!: string;
  @ApiProperty({ example: 100 }) points!: number;
  @ApiProperty({ example: 'alice', description: 'Username of the customer.' }) customer!: string;
  @ApiProperty({ example: 'bob-shop', description: 'Username of the vendor.' }) vendor!: string;
  @ApiProperty() createdAt!: Date;
}

export class ValidationResultDto {
  @ApiProperty({ type: ExchangeRequestDto }) exchangeRequest!: ExchangeRequestDto;
}

export class TokenStatusDto {
  @ApiProperty() token!: string;
  @ApiProperty({ example: 100 }) points!: number;
  @ApiProperty({
    enum: ['active', 'used', 'expired'],
    description: '`expired` as soon as `expiresAt` is past, even before the sweep.',
  })
  status!: string;
  @ApiProperty() expiresAt!: Date;
  @ApiProperty({ example: 42 }) secondsRemaining!: number;
}

export class TokenStatusPageDto extends BalancesDto {
  @ApiProperty({ type: [TokenStatusDto] }) tokens!: TokenStatusDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
