import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { BusHealthIndicator } from './bus.health';
import { WhatsappHealthIndicator } from './whatsapp.health';
import { Public } from '../auth/guard';

@ApiTags('operations')
@Public()
@Controller('api/health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly bus: BusHealthIndicator,
    private readonly whatsapp: WhatsappHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers.' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: the database answers and the bus is connected (503 otherwise).',
    description:
      "`details.whatsapp` lists the live WhatsApp workers (heartbeat within 3 intervals) with their driver, next to this API's `driver`. A worker on another driver, or no live worker, adds `degraded: true` and a `message`, without failing readiness.",
  })
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      () => this.bus.check(),
      () => this.whatsapp.check(),
    ]);
  }
}
