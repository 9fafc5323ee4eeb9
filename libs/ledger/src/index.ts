export { LedgerService } from './accounts/ledger.service';
export { LedgerCronModule } from './ledger-cron.module';
export { LedgerDriftError, MAX_POINTS } from './ledger.errors';
export { LedgerModule } from './ledger.module';
export { type SweepReport } from './ledger.types';
export { EXPIRY_SWEEP_JOB } from './sweep/expiry-sweep.cron';
export { DEFAULT_SWEEP_BATCH_SIZE, ExpirySweeper } from './sweep/expiry-sweeper.service';
export { ExchangeTokensService } from './tokens/exchange-tokens.service';
export { IdempotencyKeyPurgeCron } from './tokens/idempotency-key-purge.cron';
export { TokenStatusService } from './tokens/token-status.service';
export {
  TokensOverviewService,
  type ActiveHold,
  type RecentExpiry,
  type SweepRun,
  type TokensOverview,
} from './tokens/tokens-overview.service';
export { LedgerVerifier } from './verify/ledger-verifier.service';
