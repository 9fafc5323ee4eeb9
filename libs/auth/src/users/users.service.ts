import { Database } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { FieldErrors, UserInputError } from '../auth.errors';
import { RefreshTokensRepository } from '../tokens/refresh-tokens.repository';
import { PasswordHasher } from './password-hasher';
import { UserAuthCache } from './user-auth-cache';
import { AuthenticatedUser, Role, UserEntity } from './user.entity';
import { USERNAME_TAKEN, UserInput, userInputErrors } from './user-input';
import { UsersRepository } from './users.repository';

// Django's own sentences (PasswordChangeForm, SetPasswordForm).
const WRONG_OLD_PASSWORD = 'Your old password was entered incorrectly. Please enter it again.';
const PASSWORDS_DIFFER = 'The two password fields didn’t match.';

/** `POST /api/users/register/`: always a customer. */
export interface RegisterUserCommand {
  username: string;
  email: string;
  password: string;
}

/** dj-rest-auth's password change, field names included (its errors name them). */
export interface ChangePasswordCommand {
  old_password: string;
  new_password1: string;
  new_password2: string;
}

export interface CreateUserCommand {
  username: string;
  password: string;
  email?: string;
  role?: Role;
}

/** Accounts: registration, creation by an admin, credentials, password changes. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly database: Database,
    private readonly authCache: UserAuthCache,
  ) {}

  /** Self-service registration: a customer account; throws `UserInputError` like `create`. */
  register(command: RegisterUserCommand): Promise<AuthenticatedUser & { email: string }> {
    return this.create({ ...command, role: 'customer' });
  }

  /** Creates an account; throws `UserInputError` naming every invalid field (see `accountErrors`). */
  async create(command: CreateUserCommand): Promise<AuthenticatedUser & { email: string }> {
    const input: UserInput = { email: '', role: 'customer', ...command };
    const errors = await this.accountErrors(input);
    if (Object.keys(errors).length > 0) {
      throw new UserInputError(errors);
    }
    const user = await this.users.insert({ ...input, passwordHash: await this.hasher.hash(input.password) });
    if (user === undefined) {
      throw new UserInputError({ username: [USERNAME_TAKEN] });
    }
    return { ...toAuthenticatedUser(user), email: user.email };
  }

  /**
   * What `create` would refuse in the fields given, every field at once: Django's account rules,
   * and a username already taken (when it is a valid one). Registration checks the fields that
   * arrived as strings with this while others are missing or blank.
   */
  async accountErrors(input: Partial<UserInput>): Promise<FieldErrors> {
    const errors = userInputErrors(input);
    if (input.username !== undefined && errors.username === undefined) {
      if ((await this.users.findByUsername(input.username)) !== null) {
        return { username: [USERNAME_TAKEN], ...errors };
      }
    }
    return errors;
  }

  /** Creates the admin named by ADMIN_USERNAME at start if no account has that name. */
  async ensureAdmin(username: string, password: string): Promise<void> {
    if (await this.users.findByUsername(username)) {
      return;
    }
    try {
      await this.create({ username, password, role: 'admin' });
      this.logger.log(`Created the admin account "${username}"`);
    } catch (error) {
      // Another replica created it at the same moment: fine.
      if (!(error instanceof UserInputError && error.errors.username?.[0] === USERNAME_TAKEN)) {
        throw error;
      }
    }
  }

  /** The active account these credentials open, or `undefined` (same cost either way). */
  async authenticate(username: string, password: string): Promise<UserEntity | undefined> {
    const user = await this.users.findByUsername(username);
    if (user === null) {
      await this.hasher.burn(password);
      return undefined;
    }
    const valid = await this.hasher.verify(user.passwordHash, password);
    if (!valid || !user.isActive) {
      return undefined;
    }
    await this.users.touchLastLogin(user.id);
    return user;
  }

  /**
   * Checks the old password, sets the new one and logs the user out everywhere, access and
   * refresh tokens, in one transaction. Throws `UserInputError` naming the field at fault.
   */
  async changePassword(userId: number, command: ChangePasswordCommand): Promise<void> {
    const { old_password, new_password1, new_password2 } = command;
    const user = await this.users.findById(userId);
    if (user === null || !(await this.hasher.verify(user.passwordHash, old_password))) {
      throw new UserInputError({ old_password: [WRONG_OLD_PASSWORD] });
    }
    if (new_password1 !== new_password2) {
      throw new UserInputError({ new_password2: [PASSWORDS_DIFFER] });
    }
    const errors = userInputErrors({ username: user.username, email: '', password: new_password2, role: user.role });
    if (errors.password) {
      throw new UserInputError({ new_password2: errors.password });
    }
    const hash = await this.hasher.hash(new_password2);
    await this.database.transaction(async (manager) => {
      await this.users.setPasswordHash(userId, hash, manager);
      await this.users.invalidateTokens(userId, manager);
      await this.refreshTokens.revokeAllForUser(userId, 'password_change', manager);
    });
    await this.authCache.changed(userId);
    this.logger.log({ event: 'password_changed', userId }, 'Password changed: every token of the user is revoked');
  }

  /** Activates or deactivates an account (a deactivated user's tokens stop working at once). */
  async setActive(userId: number, active: boolean): Promise<void> {
    await this.users.setActive(userId, active);
    await this.authCache.changed(userId);
  }
}

export function toAuthenticatedUser(user: UserEntity): AuthenticatedUser {
  return { id: user.id, username: user.username, role: user.role };
}
