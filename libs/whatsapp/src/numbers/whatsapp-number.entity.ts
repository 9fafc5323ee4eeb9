import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

export const NUMBER_STATUSES = ['pending', 'qr_ready', 'regenerating', 'connected', 'failed'] as const;
export type NumberStatus = (typeof NUMBER_STATUSES)[number];

/** A phone number being validated (`whatsapp_numbers`, migration CreateWhatsappNumbers). */
@Entity({ name: 'whatsapp_numbers' })
@Check('whatsapp_numbers_status_check', `status IN ('pending', 'qr_ready', 'regenerating', 'connected', 'failed')`)
@Index('whatsapp_numbers_user_idx', ['userId'])
export class WhatsappNumberEntity {
  @PrimaryGeneratedColumn('identity', { type: 'integer', generatedIdentity: 'BY DEFAULT' })
  id!: number;

  /** E.164, unique: one WhatsApp session per phone. */
  @Column({ name: 'phone_number', type: 'varchar', length: 16, unique: true })
  phoneNumber!: string;

  /** The user who registered it; they (and admins) may see and validate it. */
  @Column({ name: 'user_id', type: 'integer' })
  @ForeignKey('users', { name: 'whatsapp_numbers_user_id_fkey', onDelete: 'CASCADE' })
  userId!: number;

  @Column({ type: 'text', default: 'pending' })
  status!: NumberStatus;

  /** The QR on display (`data:image/png;base64,…`), null when none is. */
  @Column({ name: 'qr_code', type: 'text', nullable: true })
  qrCode!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempt!: number;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts!: number;

  /** The worker that owns the session: the sender of the newest event. */
  @Column({ name: 'worker_id', type: 'varchar', length: 64, nullable: true })
  workerId!: string | null;

  @Column({ name: 'session_id', type: 'text', nullable: true })
  sessionId!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** `timestamp` (ms) of the newest event applied; older ones are ignored. pg returns bigint as a string. */
  @Column({ name: 'last_event_at', type: 'bigint', default: 0 })
  lastEventAt!: string;

  @Column({ name: 'validation_requested_at', type: 'timestamptz', nullable: true })
  validationRequestedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
