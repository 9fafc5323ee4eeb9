import { ApiProperty } from '@nestjs/swagger';

export class AccountDriftDto {
  @ApiProperty({ example: 7 }) userId!: number;
  @ApiProperty({ example: 'alice' }) username!: string;
  @ApiProperty({ example: 400, description: 'Stored spendable balance.' }) balance!: number;
  @ApiProperty({ example: 100, description: 'Stored held points.' }) held!: number;
  @ApiProperty({ example: 450, description: 'Balance the journal adds up to.' }) journalBalance!: number;
  @ApiProperty({ example: 50, description: 'Held points the journal adds up to.' }) journalHeld!: number;
  @ApiProperty({ example: 50, description: 'Points behind the active tokens.' }) activeTokens!: number;
}

/** The books checked (the CLI's `ledger verify`): empty `problems` means no drift. */
export class LedgerVerificationDto {
  @ApiProperty({ example: 12, description: 'Accounts checked.' }) accounts!: number;
  @ApiProperty({ type: [AccountDriftDto] }) drift!: AccountDriftDto[];
  @ApiProperty({ type: [String], example: [] }) tokenProblems!: string[];
  @ApiProperty({ type: [String], example: [], description: 'One sentence per problem found.' }) problems!: string[];
}

export class ActiveHoldDto {
  @ApiProperty({ example: 42, description: 'The token’s row number (never the token, a bearer secret).' }) seq!: number;
  @ApiProperty({ example: 'alice' }) username!: string;
  @ApiProperty({ example: 100 }) points!: number;
  @ApiProperty({ example: '2025-12-06T14:33:00.000Z' }) expiresAt!: string;
  @ApiProperty({ example: 95 }) secondsRemaining!: number;
}

export class RecentExpiryDto {
  @ApiProperty({ example: 'alice' }) username!: string;
  @ApiProperty({ example: 100, description: 'Points restored to the balance.' }) points!: number;
  @ApiProperty({ example: '2025-12-06T14:33:01.000Z' }) releasedAt!: string;
}

export class SweepRunDto {
  @ApiProperty({ example: 7 }) id!: number;
  @ApiProperty({ example: 'cron', enum: ['cron', 'create', 'validate', 'cli'] }) trigger!: string;
  @ApiProperty({ example: 3 }) tokens!: number;
  @ApiProperty({ example: 2 }) users!: number;
  @ApiProperty({ example: 250 }) points!: number;
  @ApiProperty({ example: 4 }) durationMs!: number;
  @ApiProperty({ example: '2025-12-06T14:33:01.000Z' }) finishedAt!: string;
}

/** Every user's exchange tokens at a glance: the holds expiring first, the latest expiries and sweeps. */
export class TokensOverviewDto {
  @ApiProperty({ example: 12 }) activeCount!: number;
  @ApiProperty({ example: 1200 }) heldPoints!: number;
  @ApiProperty({ type: [ActiveHoldDto] }) active!: ActiveHoldDto[];
  @ApiProperty({ type: [RecentExpiryDto] }) recentExpiries!: RecentExpiryDto[];
  @ApiProperty({ type: [SweepRunDto] }) sweepRuns!: SweepRunDto[];
}
