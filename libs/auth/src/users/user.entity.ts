import { Check, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ROLES = ['customer', 'vendor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** An account (`users`, migration CreateUsersAndRefreshTokens). */
@Entity({ name: 'users' })
@Check('users_role_check', `role IN ('customer', 'vendor', 'admin')`)
export class UserEntity {
  @PrimaryGeneratedColumn('identity', { type: 'integer', generatedIdentity: 'BY DEFAULT' })
  id!: number;

  /** Unique and case-sensitive, as Django's. */
  @Column({ type: 'varchar', length: 150, unique: true })
  username!: string;

  @Column({ type: 'varchar', length: 254, default: '' })
  email!: string;

  /** argon2id PHC string; never leaves the auth lib. */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ type: 'text', default: 'customer' })
  role!: Role;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  @Column({ name: 'last_login', type: 'timestamptz', nullable: true })
  lastLogin!: Date | null;

  /** Tokens issued before this instant are refused (revoke-all, password change). */
  @Column({ name: 'tokens_valid_after', type: 'timestamptz', nullable: true })
  tokensValidAfter!: Date | null;

  @Column({ name: 'date_joined', type: 'timestamptz', default: () => 'now()' })
  dateJoined!: Date;
}

/** What a request knows about its authenticated user (`req.user`). */
export interface AuthenticatedUser {
  id: number;
  username: string;
  role: Role;
}
