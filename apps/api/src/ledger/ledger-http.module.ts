import { LedgerCronModule, LedgerModule } from '@app/ledger';
import { Module } from '@nestjs/common';
import { AdminLedgerController } from './admin-ledger.controller';
import { ExchangeTokensController } from './exchange-tokens.controller';
import { AdminPointsController, PointsController } from './points.controller';

/** The points and exchange-token endpoints, the admin's ledger check, and the every-second expiry sweep (API only). */
@Module({
  imports: [LedgerModule, LedgerCronModule],
  controllers: [PointsController, AdminPointsController, AdminLedgerController, ExchangeTokensController],
})
export class LedgerHttpModule {}
