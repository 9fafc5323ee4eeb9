import { Public, UsersService } from '@app/auth';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthThrottle } from './auth-throttling';
import { RegisterUserDto, RegisteredUserDto } from './dto/token.dto';

@ApiTags('auth')
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post('register')
  @Public()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a customer account.' })
  @ApiBody({ type: RegisterUserDto })
  @ApiCreatedResponse({ type: RegisteredUserDto })
  @ApiBadRequestResponse({
    description: 'DRF-style field errors.',
    content: {
      'application/json': {
        examples: {
          taken: { value: { username: ['A user with that username already exists.'] } },
          email: { value: { email: ['Enter a valid email address.'] } },
          password: { value: { password: ['This password is too short. It must contain at least 8 characters.'] } },
        },
      },
    },
  })
  @AuthThrottle()
  register(@Body() body: unknown) {
    return this.users.register(body);
  }
}
