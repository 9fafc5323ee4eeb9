import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The id of `username`'s stored Vinted session, for specs that drive `VintedSessionManager.refresh`
 * (which takes a session id) without reaching into the lib's repository.
 */
export async function findVintedSession(
  app: INestApplicationContext,
  username: string,
): Promise<{ id: number } | undefined> {
  const rows = await app
    .get(DataSource)
    .query<{ id: number }[]>(
      'SELECT s.id FROM vinted_sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1',
      [username],
    );
  return rows[0];
}
