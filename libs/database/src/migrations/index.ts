import { CreateAppSettings1763700000000 } from './1763700000000-CreateAppSettings';
import { CreateUsersAndRefreshTokens1763800000000 } from './1763800000000-CreateUsersAndRefreshTokens';

/**
 * Every migration, oldest first. Listed explicitly (no glob) so the bundled apps, ts-node and
 * Jest all load the same set. Add new ones at the end: `<epoch ms>-<PascalName>.ts`.
 */
export const MIGRATIONS = [CreateAppSettings1763700000000, CreateUsersAndRefreshTokens1763800000000];
