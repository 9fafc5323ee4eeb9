import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { USER_AUTH_CHANNEL } from './user-auth-cache';
import { Role, UserEntity } from './user.entity';

export interface NewUser {
  username: string;
  email: string;
  passwordHash: string;
  role: Role;
}

/** The only place with SQL on `users`. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findById(id: number, manager: EntityManager = this.users.manager): Promise<UserEntity | null> {
    return manager.findOneBy(UserEntity, { id });
  }

  /** Exact, case-sensitive match (Django's default `USERNAME_FIELD` lookup). */
  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ username });
  }

  /** Inserts the user; `undefined` when the username is taken (also under a concurrent insert). */
  async insert(user: NewUser): Promise<UserEntity | undefined> {
    const rows = await this.users.query<UserEntity[]>(
      `INSERT INTO users (username, email, password_hash, role) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username) DO NOTHING RETURNING id`,
      [user.username, user.email, user.passwordHash, user.role],
    );
    return rows.length === 0 ? undefined : ((await this.findById(rows[0].id)) ?? undefined);
  }

  async touchLastLogin(id: number): Promise<void> {
    await this.users.query('UPDATE users SET last_login = now() WHERE id = $1', [id]);
  }

  /**
   * Refuses every token issued up to now: `tokens_valid_after` is the next whole second, since
   * `iat` has one-second resolution (a token issued in this second must not survive).
   */
  async invalidateTokens(id: number, manager: EntityManager = this.users.manager): Promise<void> {
    await manager.query(
      notifyAfter(
        `UPDATE users SET tokens_valid_after = date_trunc('second', now()) + interval '1 second' WHERE id = $1 RETURNING id`,
      ),
      [id],
    );
  }

  async setPasswordHash(id: number, passwordHash: string, manager: EntityManager = this.users.manager): Promise<void> {
    await manager.query(notifyAfter('UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING id'), [
      id,
      passwordHash,
    ]);
  }

  async setActive(id: number, active: boolean): Promise<void> {
    await this.users.query(notifyAfter('UPDATE users SET is_active = $2 WHERE id = $1 RETURNING id'), [id, active]);
  }
}

/**
 * `update` (… RETURNING id) plus a NOTIFY on USER_AUTH_CHANNEL in the same statement, so every
 * replica's UserAuthCache evicts the user when the change commits, and never before.
 */
function notifyAfter(update: string): string {
  return `WITH changed AS (${update}) SELECT pg_notify('${USER_AUTH_CHANNEL}', id::text) FROM changed`;
}
