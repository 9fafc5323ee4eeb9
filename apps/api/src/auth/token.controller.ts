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
import { TokenNotValidDto } from '../http/error-body.dto';
import { errorExamplesResponse, errorResponse, fieldErrorsResponse } from '../http/error-responses';

const required = (field: string) =>
  fieldErrorsResponse(
    { missing: { value: { [field]: ['This field is required.'] } } },
    'A field is missing (one key per missing field).',
  );

/** simplejwt's `{}`: the verify and blacklist views answer an empty object. */
const EMPTY_OBJECT = { type: 'object', properties: {}, example: {} };

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
  @ApiUnauthorizedResponse(
    errorResponse({ detail: 'No active account found with the given credentials', code: 'no_active_account' }),
  )
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
  @ApiUnauthorizedResponse(errorExamplesResponse(TOKEN_NOT_VALID_EXAMPLES, { type: TokenNotValidDto }))
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
  @ApiOkResponse({ schema: EMPTY_OBJECT })
  @ApiUnauthorizedResponse(
    errorExamplesResponse(
      { expired: TOKEN_NOT_VALID_EXAMPLES.expired, invalid: TOKEN_NOT_VALID_EXAMPLES.invalid },
      { type: TokenNotValidDto },
    ),
  )
  @ApiBadRequestResponse(
    fieldErrorsResponse(
      {
        blacklisted: { value: { non_field_errors: ['Token is blacklisted'] } },
        missing: { value: { token: ['This field is required.'] } },
      },
      'A rotated or logged-out refresh token, or a missing field.',
    ),
  )
  async verify(@DrfBody() body: VerifyTokenDto) {
    await this.tokens.verify(body.token);
    return {};
  }

  @Post('blacklist')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Log out: blacklist a refresh token (simplejwt TokenBlacklistView).' })
  @ApiBody({ type: RefreshTokenDto })
  @ApiOkResponse({ schema: EMPTY_OBJECT, headers: REFRESH_COOKIE_HEADERS })
  @ApiUnauthorizedResponse(errorExamplesResponse(TOKEN_NOT_VALID_EXAMPLES, { type: TokenNotValidDto }))
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
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { revoked: { type: 'integer', description: 'Refresh tokens revoked.' } },
      required: ['revoked'],
      example: { revoked: 3 },
    },
  })
  revokeAll(@CurrentUser() user: AuthenticatedUser) {
    return this.tokens.revokeAll(user.id);
  }
}
