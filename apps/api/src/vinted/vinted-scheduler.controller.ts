import { TokenRefreshScheduler } from '@app/vinted';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SchedulerControlDto, SchedulerStatusDto } from './dto/vinted.dto';
import { Roles } from '../auth/guard';
import { InvalidInputDto } from '../http/error-body.dto';
import { errorExamplesResponse } from '../http/error-responses';

/** The refresh scheduler, shared by every replica through the database. */
@ApiTags('vinted')
@Controller('api/v1/vinted/scheduler')
export class VintedSchedulerController {
  constructor(private readonly scheduler: TokenRefreshScheduler) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: "The scheduler's state, as every replica sees it." })
  @ApiOkResponse({ type: SchedulerStatusDto })
  status(): Promise<SchedulerStatusDto> {
    return this.scheduler.view();
  }

  @Post()
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start, stop or restart the scheduler (optionally with a new interval) on every replica.' })
  @ApiOkResponse({ type: SchedulerStatusDto, description: 'The state after the action.' })
  @ApiBadRequestResponse(
    errorExamplesResponse(
      {
        action: {
          value: {
            detail: 'Invalid input - action must be one of start, stop, restart.',
            code: 'invalid',
            errors: { action: ['action must be one of start, stop, restart.'] },
          },
        },
        interval: {
          value: {
            detail: 'Invalid input - intervalMinutes must be at most 1440.',
            code: 'invalid',
            errors: { intervalMinutes: ['intervalMinutes must be at most 1440.'] },
          },
        },
      },
      { type: InvalidInputDto },
    ),
  )
  control(@Body() body: SchedulerControlDto): Promise<SchedulerStatusDto> {
    return this.scheduler.control(body.action, body.intervalMinutes);
  }
}
