import { Injectable, Logger } from '@nestjs/common';
import { requireStrings } from '../drf/drf-validation';
import { RefreshTokensRepository } from '../tokens/refresh-tokens.repository';
import { PasswordHasher } from './password-hasher';
import { AuthenticatedUser, Role, UserEntity } from './user.entity';
import { USERNAME_TAKEN, UserInput, UserInputError, userInputErrors } from './user-input';
import { UsersRepository } from './users.repository';

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
  ) {}

  /** `POST /api/users/register/`: a customer account from an untrusted body (DRF-style 400s). */
  async register(body: unknown): Promise<AuthenticatedUser & { email: string }> {
    const fields = requireStrings(body, ['username', 'email', 'password'] as const);
    return this.create({ ...fields, role: 'customer' });
  }

  /** Creates an account; throws `UserInputError` on invalid data or a taken username. */
  async create(command: CreateUserCommand): Promise<AuthenticatedUser & { email: string }> {
    const input: UserInput = { email: '', role: 'customer', ...command };
    const errors = userInputErrors(input);
    if (Object.keys(errors).length > 0) {
      throw new UserInputError(errors);
    }
    if (await this.users.findByUsername(input.username)) {
      throw new UserInputError({ username: [USERNAME_TAKEN] });
    }
    const user = await this.users.insert({ ...input, passwordHash: await this.hasher.hash(input.password) });
    if (user === undefined) {
      throw new UserInputError({ username: [USERNAME_TAKEN] });
    }
    return { ...toAuthenticatedUser(user), email: user.email };
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

  /** Sets a new password and logs the user out everywhere (access and refresh tokens). */
  async changePassword(userId: number, newPassword: string): Promise<void> {
    const errors = userInputErrors({ username: 'x', email: '', password: newPassword, role: 'customer' });
    if (errors.password) {
      throw new UserInputError({ password: errors.password });
    }
    const hash = await this.hasher.hash(newPassword);
    await this.users.setPasswordHash(userId, hash);
    await this.users.invalidateTokens(userId);
    await this.refreshTokens.revokeAllForUser(userId);
  }

  /** Activates or deactivates an account (a deactivated user's tokens stop working at once). */
  setActive(userId: number, active: boolean): Promise<void> {
    return this.users.setActive(userId, active);
  }
}

export function toAuthenticatedUser(user: UserEntity): AuthenticatedUser {
  return { id: user.id, username: user.username, role: user.role };
}
