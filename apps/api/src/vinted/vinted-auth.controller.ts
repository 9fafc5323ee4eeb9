import { AuthenticatedUser } from '@app/auth';
import { VintedSessionManager } from '@app/vinted';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  REQUIRES_CONFIGURATION_EXAMPLE,
  SESSION_NOT_FOUND_EXAMPLE,
  StoreVintedCookiesDto,
  StoredVintedSessionDto,
  VINTED_ERROR_EXAMPLES,
  VintedSessionStatusDto,
} from './dto/vinted.dto';
import { Authenticated, CurrentUser } from '../auth/guard';
import { errorExamplesResponse, errorResponse } from '../http/error-responses';

/** The caller's own Vinted session: store cookies, read its state (never a token). */
@ApiTags('vinted')
@Controller('api/v1/vinted/auth')
export class VintedAuthController {
  constructor(private readonly sessions: VintedSessionManager) {}

  @Post()
  @Authenticated()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Store your Vinted browser cookies, encrypted (AES-256-GCM); replaces any previous session.',
  })
  @ApiCreatedResponse({ type: StoredVintedSessionDto })
  @ApiBadRequestResponse(
    errorExamplesResponse(VINTED_ERROR_EXAMPLES, {
      description:
        'Missing tokens, a token that is not a JWT, an expired refresh token, no `cookies` (`invalid`, with `errors`); nothing is stored.',
    }),
  )
  @ApiServiceUnavailableResponse(
    errorExamplesResponse(
      { requiresConfiguration: REQUIRES_CONFIGURATION_EXAMPLE },
      { description: 'VINTED_CREDENTIALS_SECRET is not configured: nothing is stored.' },
    ),
  )
  store(@CurrentUser() user: AuthenticatedUser, @Body() body: StoreVintedCookiesDto): Promise<StoredVintedSessionDto> {
    return this.sessions.store(user.id, body.cookies);
  }

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'The state of your Vinted session: status, expiry, last refresh, last error.' })
  @ApiOkResponse({
    type: VintedSessionStatusDto,
    description: '`status` is `requires_configuration` when the server has no VINTED_CREDENTIALS_SECRET.',
  })
  @ApiNotFoundResponse(errorResponse(SESSION_NOT_FOUND_EXAMPLE))
  status(@CurrentUser() user: AuthenticatedUser): Promise<VintedSessionStatusDto> {
    return this.sessions.view(user.id);
  }
}
