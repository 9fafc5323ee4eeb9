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
