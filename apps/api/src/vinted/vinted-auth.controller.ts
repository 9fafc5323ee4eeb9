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
  StoreVintedCookiesDto,
  StoredVintedSessionDto,
  VINTED_ERROR_EXAMPLES,
  VintedSessionStatusDto,
} from './dto/vinted.dto';
import { Authenticated, CurrentUser } from '../auth/guard';

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
  @ApiBadRequestResponse({
    description: 'Missing tokens, a token that is not a JWT, an expired refresh token; nothing is stored.',
    content: { 'application/json': { examples: VINTED_ERROR_EXAMPLES } },
  })
  @ApiServiceUnavailableResponse({
    description: 'VINTED_CREDENTIALS_SECRET is not configured: nothing is stored.',
    content: { 'application/json': { examples: { requiresConfiguration: REQUIRES_CONFIGURATION_EXAMPLE } } },
  })
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
  @ApiNotFoundResponse({
    schema: {
      example: {
        detail: 'No Vinted session is stored for this account: POST your Vinted cookies to /api/v1/vinted/auth first.',
        code: 'vinted_session_not_found',
      },
    },
  })
  status(@CurrentUser() user: AuthenticatedUser): Promise<VintedSessionStatusDto> {
    return this.sessions.view(user.id);
  }
}
