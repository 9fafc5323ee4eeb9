import { VINTED_SESSION_STATUSES } from '@app/vinted';
import { ApiProperty } from '@nestjs/swagger';

/** One stored session as the operator sees it: its state, never a cookie or token. */
export class VintedSessionRowDto {
  @ApiProperty({ example: 'alice' }) username!: string;
  @ApiProperty({ example: 'active', enum: VINTED_SESSION_STATUSES }) status!: string;
  @ApiProperty({ example: '2025-12-06T16:00:00.000Z', nullable: true, type: String }) accessExpiresAt!: Date | null;
  @ApiProperty({ example: '2025-12-06T14:00:00.000Z', nullable: true, type: String }) lastRefreshedAt!: Date | null;
  @ApiProperty({ example: 0 }) consecutiveFailures!: number;
  @ApiProperty({ example: null, nullable: true, type: String }) lastError!: string | null;
}

/** The CLI's `vinted report` over HTTP: sessions by status, then one row per session. */
export class VintedSessionsReportDto {
  @ApiProperty({ example: { active: 3, expired: 1, error: 0, requires_configuration: 0 } })
  statuses!: Record<string, number>;
  @ApiProperty({ type: [VintedSessionRowDto] }) sessions!: VintedSessionRowDto[];
}
