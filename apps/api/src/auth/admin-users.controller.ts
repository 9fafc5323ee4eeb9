import { UsersService } from '@app/auth';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateUserDto } from './dto/admin-users.dto';
import { RegisteredUserDto } from './dto/users.dto';
import { Roles } from './guard';
import { fieldErrorsResponse } from '../http/error-responses';

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
    fieldErrorsResponse(
      { taken: { value: { username: ['A user with that username already exists.'] } } },
      'DRF field errors: every refused field, one message each.',
    ),
  )
  async create(@Body() body: CreateUserDto): Promise<RegisteredUserDto> {
    // An absent field must stay absent (not `undefined`), so that the service's defaults apply.
    const { id, username, email, role } = await this.users.create({
      username: body.username,
      password: body.password,
      ...(body.email === undefined ? {} : { email: body.email }),
      ...(body.role === undefined ? {} : { role: body.role }),
    });
    return { id, username, email, role };
  }
}
