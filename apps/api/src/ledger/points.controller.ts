import { AuthenticatedUser } from '@app/auth';
import { LedgerService } from '@app/ledger';
import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { BalancesDto, GrantPointsDto, GrantedDto, LedgerPageDto, PageQueryDto } from './dto/points.dto';
import { BAD_POINTS_EXAMPLE, INVALID_CURSOR_EXAMPLE, USER_NOT_FOUND_EXAMPLE } from './ledger-examples';
import { Authenticated, CurrentUser, Roles } from '../auth/guard';
import { InvalidInputDto } from '../http/error-body.dto';
import { errorResponse } from '../http/error-responses';

@ApiTags('points')
@Controller('api/points')
export class PointsController {
  constructor(private readonly ledger: LedgerService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Your points: spendable balance and points held behind active exchange tokens.' })
  @ApiOkResponse({ type: BalancesDto })
  balances(@CurrentUser() user: AuthenticatedUser) {
    return this.ledger.balances(user.id);
  }

  @Get('ledger')
  @Authenticated()
  @ApiOperation({ summary: 'Your journal (grant, hold, release, capture), newest first, paginated with `nextCursor`.' })
  @ApiOkResponse({ type: LedgerPageDto })
  @ApiBadRequestResponse(errorResponse(INVALID_CURSOR_EXAMPLE))
  journal(@CurrentUser() user: AuthenticatedUser, @Query() query: PageQueryDto) {
    return this.ledger.journal(user.id, query);
  }
}

@ApiTags('points')
@Controller('api/admin/points')
export class AdminPointsController {
  constructor(private readonly ledger: LedgerService) {}

  @Post('grant')
  @Roles('admin')
  @HttpCode(201)
  @ApiOperation({ summary: 'Credit points to a user (a `grant` entry in the journal).' })
  @ApiCreatedResponse({ type: GrantedDto })
  @ApiBadRequestResponse(errorResponse(BAD_POINTS_EXAMPLE, { type: InvalidInputDto }))
  @ApiNotFoundResponse(errorResponse(USER_NOT_FOUND_EXAMPLE))
  grant(@Body() body: GrantPointsDto) {
    return this.ledger.grant(body.username, body.points, body.reason);
  }
}
