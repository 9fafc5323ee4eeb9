import { DataSource } from 'typeorm';
import { CredentialsCipher } from './credentials-cipher';

/** One stored item: `creds`, a signal key (`pre-key`/`session`/… with its id), or our `meta`. */
export interface SealedItem {
  category: string;
  itemId: string;
  /** JSON text (Baileys' BufferJSON form); null deletes the item. */
  json: string | null;
}

/** What the driver needs from the credential store (an in-memory one in unit tests). */
export type AuthStateStore = Pick<BaileysAuthStateRepository, 'read' | 'write' | 'wipe' | 'readAll'>;

/**
 * The only place with SQL on `whatsapp_auth_state`: per session, Baileys' credentials and
 * signal keys as encrypted JSON rows. The worker writes here but never migrates.
 */
export class BaileysAuthStateRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: CredentialsCipher,
  ) {}

  async read(sessionId: string, category: string, itemIds: string[]): Promise<Map<string, string>> {
    const rows = await this.dataSource.query<{ item_id: string; sealed: string }[]>(
      'SELECT item_id, sealed FROM whatsapp_auth_state WHERE session_id = $1 AND category = $2 AND item_id = ANY($3::text[])',
      [sessionId, category, itemIds],
    );
    return new Map(
      rows.map((row) => [row.item_id, this.cipher.open(row.sealed, aad(sessionId, category, row.item_id))]),
    );
  }

  /** Writes (or deletes, `json: null`) several items in one transaction. */
  async write(sessionId: string, items: SealedItem[]): Promise<void> {
    if (items.length === 0) {
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      for (const item of items) {
        if (item.json === null) {
          await manager.query(
            'DELETE FROM whatsapp_auth_state WHERE session_id = $1 AND category = $2 AND item_id = $3',
            [sessionId, item.category, item.itemId],
          );
        } else {
          await manager.query(
            `INSERT INTO whatsapp_auth_state (session_id, category, item_id, sealed, updated_at) VALUES ($1, $2, $3, $4, now())
             ON CONFLICT (session_id, category, item_id) DO UPDATE SET sealed = EXCLUDED.sealed, updated_at = now()`,
            [
              sessionId,
              item.category,
              item.itemId,
              this.cipher.seal(item.json, aad(sessionId, item.category, item.itemId)),
            ],
          );
        }
      }
    });
  }

  /** Forgets a session entirely (logged out: the credentials are worthless and must not be reused). */
  async wipe(sessionId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM whatsapp_auth_state WHERE session_id = $1', [sessionId]);
  }

  /** Every session's `meta` item of `itemId` (decrypted), e.g. which worker owns it. */
  async readAll(category: string, itemId: string): Promise<{ sessionId: string; json: string }[]> {
    const rows = await this.dataSource.query<{ session_id: string; sealed: string }[]>(
      'SELECT session_id, sealed FROM whatsapp_auth_state WHERE category = $1 AND item_id = $2',
      [category, itemId],
    );
    return rows.map((row) => ({
      sessionId: row.session_id,
      json: this.cipher.open(row.sealed, aad(row.session_id, category, itemId)),
    }));
  }
}

function aad(sessionId: string, category: string, itemId: string): string {
  return JSON.stringify([sessionId, category, itemId]);
}
