import { UsersService } from '@app/auth';
import { Injectable, PipeTransform } from '@nestjs/common';
import { drfBodyOrErrors, readDrfFields } from './drf-validation.pipe';
import { RegisterUserDto } from '../dto/users.dto';

/**
 * The registration body, read as a DRF serializer does: every field is checked, so one 400 names
 * every refused field. A missing or blank field does not hide the account rules of the others
 * (username characters, email form, password length, a username already taken), as DRF runs each
 * field's validators, the model's unique check included, before it answers.
 */
@Injectable()
export class RegistrationBodyPipe implements PipeTransform<unknown, Promise<RegisterUserDto>> {
  constructor(private readonly users: UsersService) {}

  async transform(body: unknown): Promise<RegisterUserDto> {
    const { values, problems } = readDrfFields(RegisterUserDto, body);
    const { username, email, password } = values;
    const ruled = await this.users.accountErrors({ username, email, password });
    return drfBodyOrErrors(RegisterUserDto, values, { ...ruled, ...problems });
  }
}
