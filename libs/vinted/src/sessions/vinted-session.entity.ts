import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { RefreshFailureKind } from './refresh-failure';

export const VINTED_SESSION_STATUSES = ['active', 'expired', 'error', 'requires_configuration'] as const;
export type VintedSessionStatus = (typeof VINTED_SESSION_STATUSES)[number];

/**
 * One user's Vinted session (`vinted_sessions`, migration CreateVintedSessions). The cookie jar
 * is only ever stored sealed (`cookiesEncrypted`, AES-256-GCM under key `keyId`). The check, index
 * and foreign key names are the migrations' own: the schema-drift spec holds the two together.
 */
@Entity({ name: 'vinted_sessions' })
@Check('vinted_sessions_status_check', `status IN ('active', 'expired', 'error', 'requires_configuration')`)
@Check('vinted_sessions_consecutive_failures_check', 'consecutive_failures >= 0')
@Check('vinted_sessions_last_error_kind_check', `last_error_kind IN ('configuration', 'dead', 'blocked', 'transient')`)
@Index('vinted_sessions_due_idx', ['expiresAt'], { where: `status IN ('active', 'error')` })
export class VintedSessionEntity {
  @PrimaryGeneratedColumn('identity', { type: 'integer', generatedIdentity: 'BY DEFAULT' })
  id!: number;

  @Column({ name: 'user_id', type: 'integer', unique: true })
  @ForeignKey('users', { name: 'vinted_sessions_user_id_fkey', onDelete: 'CASCADE' })
  userId!: number;

  @Column({ name: 'cookies_encrypted', type: 'text' })
  cookiesEncrypted!: string;

  @Column({ name: 'key_id', type: 'varchar', length: 32 })
  keyId!: string;

  @Column({ type: 'text', default: 'active' })
  status!: VintedSessionStatus;

  /** The access token's `exp` (read without verifying the signature). */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'refresh_expires_at', type: 'timestamptz', nullable: true })
  refreshExpiresAt!: Date | null;

  @Column({ name: 'last_refreshed_at', type: 'timestamptz', nullable: true })
  lastRefreshedAt!: Date | null;

  /** Why the last refresh failed, for people; never quotes a token. Null after a success. */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** What kind of failure that was (migration AddVintedSessionLastErrorKind); decisions read this. */
  @Column({ name: 'last_error_kind', type: 'text', nullable: true })
  lastErrorKind!: RefreshFailureKind | null;

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures!: number;

  /** Back-off: no automatic refresh before this instant; null once the scheduler gave up. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ name: 'refresh_lease_id', type: 'uuid', nullable: true })
  refreshLeaseId!: string | null;

  @Column({ name: 'refresh_lease_until', type: 'timestamptz', nullable: true })
  refreshLeaseUntil!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
