import { WhatsappNumbersModule } from '@app/whatsapp';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { BusHealthIndicator } from './bus.health';
import { HealthController } from './health.controller';
import { WhatsappHealthIndicator } from './whatsapp.health';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), WhatsappNumbersModule],
  controllers: [HealthController],
  providers: [BusHealthIndicator, WhatsappHealthIndicator],
})
export class HealthModule {}
