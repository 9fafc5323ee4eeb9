import { EventsModule } from '@app/events';
import { Module } from '@nestjs/common';
import { LedgerService } from './accounts/ledger.service';
import { PointAccountsRepository } from './accounts/point-accounts.repository';
import { ExpirySweepRepository } from './sweep/expiry-sweep.repository';
import { ExpirySweeper } from './sweep/expiry-sweeper.service';
import { LedgerMetrics } from './sweep/ledger-metrics';
import { ExchangeTokensRepository } from './tokens/exchange-tokens.repository';
import { ExchangeTokensService } from './tokens/exchange-tokens.service';
import { IdempotencyKeysRepository } from './tokens/idempotency-keys.repository';
import { QrCodeRenderer } from './tokens/qr-code.renderer';
import { TokenStatusService } from './tokens/token-status.service';
import { TokensOverviewService } from './tokens/tokens-overview.service';
import { LedgerVerifyRepository } from './verify/ledger-verify.repository';
import { LedgerVerifier } from './verify/ledger-verifier.service';

/**
 * Point accounts, the journal, exchange tokens and the expiry sweep. Needs `ConfigModule.forRoot`
 * and `DatabaseModule.forRoot` (both global) and the ledger migration. Schedules nothing (the CLI uses it
 * as is): the API also imports `LedgerCronModule` for the sweep and the purge.
 */
@Module({
  imports: [EventsModule],
  providers: [
    PointAccountsRepository,
    LedgerService,
    ExchangeTokensRepository,
    IdempotencyKeysRepository,
    QrCodeRenderer,
    ExchangeTokensService,
    TokenStatusService,
    TokensOverviewService,
    ExpirySweepRepository,
    ExpirySweeper,
    LedgerMetrics,
    LedgerVerifyRepository,
    LedgerVerifier,
  ],
  exports: [
    LedgerService,
    ExchangeTokensService,
    TokenStatusService,
    TokensOverviewService,
    ExpirySweeper,
    LedgerVerifier,
  ],
})
export class LedgerModule {}
