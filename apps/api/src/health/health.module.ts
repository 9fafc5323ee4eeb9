import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { BusHealthIndicator } from './bus.health';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [BusHealthIndicator],
})
export class HealthModule {}
