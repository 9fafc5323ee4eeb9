import { CreateAppSettings1763700000000 } from './1763700000000-CreateAppSettings';
import { CreateUsersAndRefreshTokens1763800000000 } from './1763800000000-CreateUsersAndRefreshTokens';
import { CreateLedger1763900000000 } from './1763900000000-CreateLedger';
import { CreateVintedSessions1764000000000 } from './1764000000000-CreateVintedSessions';
import { CreateWhatsappNumbers1764100000000 } from './1764100000000-CreateWhatsappNumbers';
import { AddVintedSessionLastErrorKind1764200000000 } from './1764200000000-AddVintedSessionLastErrorKind';
import { CreateThrottleCounters1764350000000 } from './1764350000000-CreateThrottleCounters';
import { CreateWhatsappNumberEvents1764360000000 } from './1764360000000-CreateWhatsappNumberEvents';
import { CountCredentialFailures1764380000000 } from './1764380000000-CountCredentialFailures';
import { CreateStreamTickets1764400000000 } from './1764400000000-CreateStreamTickets';
import { CreateOutboxEvents1764500000000 } from './1764500000000-CreateOutboxEvents';
import { CheaperOutboxWrites1764520000000 } from './1764520000000-CheaperOutboxWrites';
import { CreateWebhooks1764610000000 } from './1764610000000-CreateWebhooks';

/**
 * Every migration, oldest first. Listed explicitly (no glob) so the bundled apps, ts-node and
 * Jest all load the same set. Add new ones at the end: `<epoch ms>-<PascalName>.ts`.
 */
export const MIGRATIONS = [
  CreateAppSettings1763700000000,
  CreateUsersAndRefreshTokens1763800000000,
  CreateLedger1763900000000,
  CreateVintedSessions1764000000000,
  CreateWhatsappNumbers1764100000000,
  AddVintedSessionLastErrorKind1764200000000,
  CreateThrottleCounters1764350000000,
  CreateWhatsappNumberEvents1764360000000,
  CountCredentialFailures1764380000000,
  CreateStreamTickets1764400000000,
  CreateOutboxEvents1764500000000,
  CheaperOutboxWrites1764520000000,
  CreateWebhooks1764610000000,
];
