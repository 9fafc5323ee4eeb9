import { AuthenticatedUser, TokensService } from '@app/auth';
import { Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthThrottle } from './auth-throttling';
import { REFRESH_COOKIE_HEADERS, RefreshCookie } from './cookies/token-cookie.interceptor';
import { DrfBody } from './drf/drf-validation.pipe';
import {
  ObtainTokenDto,
  RefreshTokenDto,
  TOKEN_NOT_VALID_EXAMPLES,
  TokenPairDto,
  VerifyTokenDto,
} from './dto/token.dto';
import { Authenticated, CurrentUser, Public } from './guard';

const required = (field: string) => ({
  description: 'A field is missing (one key per missing field).',
  schema: { example: { [field]: ['This field is required.'] } },
});

/**
 * simplejwt's token views, same paths and bodies (CONTRACT §3). Bodies are validated like DRF
 * serializers (`@DrfBody()`); the service's refusals become simplejwt's answers in the exception filter.
 */
@ApiTags('auth')
@Controller('api/token')
export class TokenController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Obtain an access/refresh pair (simplejwt TokenObtainPairView).' })
  @ApiBody({ type: ObtainTokenDto })
  @ApiOkResponse({ type: TokenPairDto, headers: REFRESH_COOKIE_HEADERS })
  @ApiUnauthorizedResponse({
    schema: { example: { detail: 'No active account found with the given credentials', code: 'no_active_account' } },
  })
  @ApiBadRequestResponse(required('password'))
  @AuthThrottle('obtain')
  @RefreshCookie('issue')
  obtain(@DrfBody() credentials: ObtainTokenDto) {
    return this.tokens.obtain(credentials);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate a refresh token (simplejwt TokenRefreshView).',
    description:
      'Presenting an already rotated token revokes its whole family, except a retry within JWT_REFRESH_GRACE_PERIOD, which gets the same successor.',
  })
  @ApiBody({ type: RefreshTokenDto })
  @ApiOkResponse({ type: TokenPairDto, headers: REFRESH_COOKIE_HEADERS })
  @ApiUnauthorizedResponse({ content: { 'application/json': { examples: TOKEN_NOT_VALID_EXAMPLES } } })
  @ApiBadRequestResponse(required('refresh'))
  @AuthThrottle('refresh')
  @RefreshCookie('rotate')
  refresh(@DrfBody() body: RefreshTokenDto) {
    return this.tokens.refresh(body.refresh);
  }

  @Post('verify')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify a token of any type (simplejwt TokenVerifyView).' })
  @ApiBody({ type: VerifyTokenDto })
  @ApiOkResponse({ schema: { example: {} } })
  @ApiUnauthorizedResponse({
    content: {
      'application/json': {
        examples: { expired: TOKEN_NOT_VALID_EXAMPLES.expired, invalid: TOKEN_NOT_VALID_EXAMPLES.invalid },
      },
    },
  })
  @ApiBadRequestResponse({
    description: 'A rotated or logged-out refresh token, or a missing field.',
    content: {
      'application/json': {
        examples: {
          blacklisted: { value: { non_field_errors: ['Token is blacklisted'] } },
          missing: { value: { token: ['This field is required.'] } },
        },
      },
    },
  })
  async verify(@DrfBody() body: VerifyTokenDto) {
    await this.tokens.verify(body.token);
    return {};
  }

  @Post('blacklist')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Log out: blacklist a refresh token (simplejwt TokenBlacklistView).' })
  @ApiBody({ type: RefreshTokenDto })
  @ApiOkResponse({ schema: { example: {} }, headers: REFRESH_COOKIE_HEADERS })
  @ApiUnauthorizedResponse({ content: { 'application/json': { examples: TOKEN_NOT_VALID_EXAMPLES } } })
  @ApiBadRequestResponse(required('refresh'))
  @RefreshCookie('clear')
  async blacklist(@DrfBody() body: RefreshTokenDto) {
    await this.tokens.blacklist(body.refresh);
    return {};
  }

  @Post('revoke-all')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log out everywhere: every refresh token is revoked and every access token refused from now on.',
  })
  @ApiOkResponse({ schema: { example: { revoked: 3 } } })
  revokeAll(@CurrentUser() user: AuthenticatedUser) {
    return this.tokens.revokeAll(user.id);
  }
}
