import { AuthenticatedUser } from '@app/auth';
import { VintedSessionManager } from '@app/vinted';
import { Controller, Get } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { MarketAnalysisTokenDto, REQUIRES_CONFIGURATION_EXAMPLE, SESSION_NOT_FOUND_EXAMPLE } from './dto/vinted.dto';
import { Authenticated, CurrentUser } from '../auth/guard';
import { errorExamplesResponse, errorResponse } from '../http/error-responses';

@ApiTags('vinted')
@Controller('api/v1/market-analysis')
export class MarketAnalysisController {
  constructor(private readonly sessions: VintedSessionManager) {}

  @Get('token')
  @Authenticated()
  @ApiOperation({
    summary:
      'A Vinted access token for market analysis, refreshed first when it is expired or about to be (single flight across replicas).',
  })
  @ApiOkResponse({ type: MarketAnalysisTokenDto })
  @ApiNotFoundResponse(errorResponse(SESSION_NOT_FOUND_EXAMPLE))
  @ApiConflictResponse(
    errorResponse(
      {
        detail: 'The Vinted session has expired: Vinted refused its refresh token. Store new cookies.',
        code: 'vinted_session_expired',
        status: 'expired',
      },
      { description: 'Vinted refused the refresh token: store new cookies.' },
    ),
  )
  @ApiServiceUnavailableResponse(
    errorExamplesResponse(
      {
        requiresConfiguration: REQUIRES_CONFIGURATION_EXAMPLE,
        blocked: {
          value: {
            detail:
              'Vinted is blocking automated requests (captcha or rate limit); the next attempt is allowed in 287 s.',
            code: 'vinted_blocked',
            retryAfterSeconds: 287,
          },
        },
        unavailable: {
          value: {
            detail: 'Vinted could not refresh the session (HTTP 500 from Vinted); the next attempt is allowed in 28 s.',
            code: 'vinted_unavailable',
            retryAfterSeconds: 28,
          },
        },
        gaveUp: {
          value: {
            detail:
              'Refreshing the Vinted session failed 5 times in a row; automatic attempts stopped. Run `vinted test-refresh` or store new cookies.',
            code: 'vinted_refresh_failed',
            status: 'error',
          },
        },
      },
      {
        description:
          'Not configured, anti-bot blocking or back-off (`retryAfterSeconds`), Vinted unavailable, or automatic attempts given up.',
      },
    ),
  )
  token(@CurrentUser() user: AuthenticatedUser): Promise<MarketAnalysisTokenDto> {
    return this.sessions.accessToken(user.id);
  }
}
