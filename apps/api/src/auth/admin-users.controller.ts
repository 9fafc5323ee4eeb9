import { UserInputError, UsersService } from '@app/auth';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateUserDto } from './dto/admin-users.dto';
import { RegisteredUserDto } from './dto/users.dto';
import { Roles } from './guard';
import { InvalidInputDto } from '../http/error-body.dto';
import { errorResponse } from '../http/error-responses';
import { RequestValidationError } from '../http/request-errors';

@ApiTags('auth')
@Controller('api/admin/users')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Roles('admin')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create an account with a role (customer unless `role` says otherwise), as `users create` does.',
  })
  @ApiCreatedResponse({ type: RegisteredUserDto })
  @ApiBadRequestResponse(
    errorResponse(
      {
        detail: 'Invalid input - username: A user with that username already exists.',
        code: 'invalid',
        errors: { username: ['A user with that username already exists.'] },
      },
      {
        description:
          'An invalid or taken field (the account rules of `users create`): `errors` has one message per refused field.',
        type: InvalidInputDto,
      },
    ),
  )
  async create(@Body() body: CreateUserDto): Promise<RegisteredUserDto> {
    // An absent field must stay absent (not `undefined`), so that the service's defaults apply.
    try {
      const { id, username, email, role } = await this.users.create({
        username: body.username,
        password: body.password,
        ...(body.email === undefined ? {} : { email: body.email }),
        ...(body.role === undefined ? {} : { role: body.role }),
      });
      return { id, username, email, role };
    } catch (error) {
      // An admin endpoint answers Hourglass's `{detail, code, errors}`, not registration's DRF field map.
      throw error instanceof UserInputError ? new RequestValidationError(error.errors) : error;
    }
  }
}
