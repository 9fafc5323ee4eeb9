import { AuthenticatedUser, TokensService, UsersService } from '@app/auth';
import { Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AuthThrottle } from './auth-throttling';
import { REFRESH_COOKIE_HEADERS, RefreshCookie } from './cookies/token-cookie.interceptor';
import { DrfBody } from './drf/drf-validation.pipe';
import { RegistrationBodyPipe } from './drf/registration-body.pipe';
import { ChangePasswordDto, PasswordChangedDto, RegisterUserDto, RegisteredUserDto } from './dto/users.dto';
import { Authenticated, CurrentUser, Public } from './guard';
import { fieldErrorsResponse } from '../http/error-responses';

@ApiTags('auth')
@Controller('api/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
  ) {}

  @Post('register')
  @Public()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a customer account.' })
  @ApiBody({ type: RegisterUserDto })
  @ApiCreatedResponse({ type: RegisteredUserDto })
  @ApiBadRequestResponse(
    fieldErrorsResponse(
      {
        taken: { value: { username: ['A user with that username already exists.'] } },
        email: { value: { email: ['Enter a valid email address.'] } },
        password: { value: { password: ['This password is too short. It must contain at least 8 characters.'] } },
        several: {
          value: {
            username: ['This field may not be blank.'],
            email: ['Enter a valid email address.'],
            password: ['This password is too short. It must contain at least 8 characters.'],
          },
        },
      },
      'DRF field errors: every refused field, one message each.',
    ),
  )
  @AuthThrottle('register')
  register(@DrfBody(RegistrationBodyPipe) account: RegisterUserDto) {
    return this.users.register(account);
  }

  @Post('password/change')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: "Change one's password (dj-rest-auth's body).",
    description:
      'Every token of the user, access and refresh, stops working at once; the answer carries a new pair for this client.',
  })
  @ApiBody({ type: ChangePasswordDto })
  @ApiOkResponse({ type: PasswordChangedDto, headers: REFRESH_COOKIE_HEADERS })
  @ApiBadRequestResponse(
    fieldErrorsResponse(
      {
        wrongOld: { value: { old_password: ['Your old password was entered incorrectly. Please enter it again.'] } },
        mismatch: { value: { new_password2: ['The two password fields didn\u2019t match.'] } },
        tooShort: {
          value: { new_password2: ['This password is too short. It must contain at least 8 characters.'] },
        },
      },
      "Django's field errors.",
    ),
  )
  @AuthThrottle('password_change')
  @RefreshCookie('issue')
  async changePassword(@CurrentUser() user: AuthenticatedUser, @DrfBody() passwords: ChangePasswordDto) {
    await this.users.changePassword(user.id, passwords);
    return { detail: 'New password has been saved.', ...(await this.tokens.issuePair(user.id)) };
  }
}
