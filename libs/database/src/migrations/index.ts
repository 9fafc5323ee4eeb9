import { CreateAppSettings1763700000000 } from './1763700000000-CreateAppSettings';

/**
 * Every migration, oldest first. Listed explicitly (no glob) so the bundled apps, ts-node and
 * Jest all load the same set. Add new ones at the end: `<epoch ms>-<PascalName>.ts`.
 */
export const MIGRATIONS = [CreateAppSettings1763700000000];
