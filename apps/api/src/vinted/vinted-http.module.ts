import { VintedCronModule, VintedModule } from '@app/vinted';
import { Module } from '@nestjs/common';
import { AdminVintedController } from './admin-vinted.controller';
import { MarketAnalysisController } from './market-analysis.controller';
import { VintedAuthController } from './vinted-auth.controller';
import { VintedSchedulerController } from './vinted-scheduler.controller';

/** Vinted sessions over HTTP (CONTRACT §5), with the scheduler's poll running in this process. */
@Module({
  imports: [VintedModule, VintedCronModule],
  controllers: [VintedAuthController, MarketAnalysisController, VintedSchedulerController, AdminVintedController],
})
export class VintedHttpModule {}
