import { SessionKeyRotation, sessionsReport } from '@app/vinted';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { VintedSessionsReportDto } from './dto/admin-vinted.dto';
import { Roles } from '../auth/guard';

/** Every user's Vinted session for the admin (the web console), as `npm run cli -- vinted report` lists them. */
@ApiTags('vinted')
@Controller('api/admin/vinted/sessions')
export class AdminVintedController {
  constructor(private readonly rotation: SessionKeyRotation) {}

  @Get()
  @Roles('admin')
  @ApiOperation({
    summary: 'Every stored Vinted session: counts by status, then each one’s state (never a cookie or token).',
    description:
      'What `npm run cli -- vinted report --json` prints, without the scheduler (`GET /api/v1/vinted/scheduler`).',
  })
  @ApiOkResponse({ type: VintedSessionsReportDto })
  async report(): Promise<VintedSessionsReportDto> {
    return sessionsReport(await this.rotation.diagnose());
  }
}
