import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity';

/**
 * One issued refresh token (`refresh_tokens`). The token itself is never stored: `tokenHash` is
 * its SHA-256. Rotation sets `usedAt` and `replacedBy`; revocation (logout, reuse, revoke-all)
 * sets `revokedAt`. Rows are purged once expired.
 */
@Entity({ name: 'refresh_tokens' })
@Index('refresh_tokens_family_idx', ['familyId'])
@Index('refresh_tokens_user_idx', ['userId'])
@Index('refresh_tokens_expires_idx', ['expiresAt'])
export class RefreshTokenEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'BY DEFAULT' })
  id!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  jti!: string;

  @Column({ name: 'token_hash', type: 'char', length: 64, unique: true })
  tokenHash!: string;

  @Column({ name: 'family_id', type: 'uuid' })
  familyId!: string;

  @Column({ name: 'parent_jti', type: 'varchar', length: 64, nullable: true })
  parentJti!: string | null;

  @Column({ name: 'user_id', type: 'integer' })
  @ForeignKey(() => UserEntity, { name: 'refresh_tokens_user_id_fkey', onDelete: 'CASCADE' })
  userId!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'replaced_by', type: 'varchar', length: 64, nullable: true })
  replacedBy!: string | null;

  /** The successor token, AES-256-GCM encrypted, kept only for the grace window's retries. */
  @Column({ name: 'successor_token', type: 'text', nullable: true })
  successorToken!: string | null;
}
