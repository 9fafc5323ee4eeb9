import { LedgerCronModule, LedgerModule } from '@app/ledger';
import { Module } from '@nestjs/common';
import { ExchangeTokensController } from './exchange-tokens.controller';
import { AdminPointsController, PointsController } from './points.controller';

/** The points and exchange-token endpoints, and the every-second expiry sweep (API only). */
@Module({
  imports: [LedgerModule, LedgerCronModule],
  controllers: [PointsController, AdminPointsController, ExchangeTokensController],
})
export class LedgerHttpModule {}
