import { SCHEDULER_ACTIONS, SchedulerAction, VINTED_SESSION_STATUSES, VintedSessionStatus } from '@app/vinted';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class StoreVintedCookiesDto {
  @ApiProperty({
    description:
      'The browser cookie string of a logged-in www.vinted.fr tab (developer tools → Network → a request → `Cookie`). Must contain `access_token_web` and `refresh_token_web`.',
    example: 'anon_id=…; access_token_web=eyJ…; refresh_token_web=eyJ…; _vinted_fr_session=…',
    minLength: 1,
    maxLength: 32_768,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(32_768)
  cookies!: string;
}

export class StoredVintedSessionDto {
  @ApiProperty({ enum: VINTED_SESSION_STATUSES, example: 'active' }) status!: VintedSessionStatus;
  @ApiProperty({ description: "The access token's `exp`.", example: '2026-11-21T12:00:00.000Z' }) expiresAt!: Date;
}

export class VintedSessionStatusDto {
  @ApiProperty({ enum: VINTED_SESSION_STATUSES, example: 'active' }) status!: VintedSessionStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastRefreshedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true, example: 'blocked: HTTP 429 rate limited (anti-bot)' }) lastError!:
    string | null;
  @ApiProperty({ example: 0 }) consecutiveFailures!: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'No automatic refresh before this (back-off).',
  })
  nextAttemptAt!: Date | null;
}

export class MarketAnalysisTokenDto {
  @ApiProperty({ description: 'A Vinted access token (JWT) valid for at least a few more minutes.' })
  accessToken!: string;
  @ApiProperty({ example: '2026-11-21T12:00:00.000Z' }) expiresAt!: Date;
}

export class SchedulerControlDto {
  @ApiProperty({ enum: SCHEDULER_ACTIONS, example: 'start' })
  @IsIn([...SCHEDULER_ACTIONS], { message: 'action must be one of start, stop, restart' })
  action!: SchedulerAction;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 1440,
    example: 30,
    description: 'Minutes between two runs; kept when omitted.',
  })
  @IsOptional()
  @IsInt({ message: 'intervalMinutes must be an integer' })
  @Min(1, { message: 'intervalMinutes must be at least 1' })
  @Max(1440, { message: 'intervalMinutes must be at most 1440' })
  intervalMinutes?: number;
}

export class TickCountsDto {
  @ApiProperty() checked!: number;
  @ApiProperty() refreshed!: number;
  @ApiProperty() failed!: number;
}

export class SchedulerStatusDto {
  @ApiProperty() isActive!: boolean;
  @ApiProperty({ description: 'VINTED_AUTO_REFRESH_ENABLED of this replica.' }) autoRefreshEnabled!: boolean;
  @ApiProperty({ example: 30 }) intervalMinutes!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastRunAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextRunAt!: string | null;
  @ApiProperty({ type: TickCountsDto, nullable: true }) lastRun!: TickCountsDto | null;
}

export const VINTED_ERROR_EXAMPLES = {
  missingTokens: {
    value: {
      detail: 'The cookie string must contain access_token_web and refresh_token_web; missing: refresh_token_web.',
      code: 'vinted_cookies_missing_tokens',
    },
  },
  notJwt: {
    value: { detail: 'The access_token_web cookie is not a JWT with an "exp" claim.', code: 'vinted_token_malformed' },
  },
  refreshExpired: {
    value: {
      detail: 'The refresh_token_web cookie has expired: log in to Vinted again and copy fresh cookies.',
      code: 'vinted_refresh_token_expired',
    },
  },
  invalid: {
    value: {
      detail: 'Invalid input - cookies: This field is required.',
      code: 'invalid',
      errors: { cookies: ['This field is required.'] },
    },
  },
};

export const SESSION_NOT_FOUND_EXAMPLE = {
  detail: 'No Vinted session is stored for this account: POST your Vinted cookies to /api/v1/vinted/auth first.',
  code: 'vinted_session_not_found',
};

export const REQUIRES_CONFIGURATION_EXAMPLE = {
  value: {
    detail: 'Vinted sessions need VINTED_CREDENTIALS_SECRET to be configured on the server.',
    code: 'requires_configuration',
    status: 'requires_configuration',
  },
};
