import { AuthStateStore, SealedItem } from './baileys-auth-state.repository';
import { AuthenticationState, BaileysRuntime, SignalDataSet, SignalDataTypeMap } from './baileys-runtime';

const CREDS = { category: 'creds', itemId: 'creds' } as const;

/**
 * Baileys' `AuthenticationState` kept in PostgreSQL (encrypted rows) instead of its
 * `useMultiFileAuthState` folder, which its authors advise against in production and which a
 * second worker could not read. `saveCreds` is called on every `creds.update`.
 */
export async function databaseAuthState(
  repository: AuthStateStore,
  runtime: BaileysRuntime,
  sessionId: string,
): Promise<{ state: AuthenticationState; saveCreds: () => Promise<void> }> {
  const { replacer, reviver } = runtime.BufferJSON;
  const parse = (json: string): unknown => JSON.parse(json, reviver);
  const stored = (await repository.read(sessionId, CREDS.category, [CREDS.itemId])).get(CREDS.itemId);
  const creds = stored === undefined ? runtime.initAuthCreds() : (parse(stored) as AuthenticationState['creds']);

  const keys: AuthenticationState['keys'] = {
    get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
      const found = await repository.read(sessionId, type, ids);
      const result: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const [id, json] of found) {
        const value = parse(json);
        result[id] = (
          type === 'app-state-sync-key' && typeof value === 'object' && value !== null
            ? runtime.appStateSyncKeyFromObject(value)
            : value
        ) as SignalDataTypeMap[T];
      }
      return result;
    },
    set: async (data: SignalDataSet) => {
      const items: SealedItem[] = [];
      for (const [category, entries] of Object.entries(data)) {
        for (const [itemId, value] of Object.entries(entries ?? {})) {
          items.push({
            category,
            itemId,
            json: value === null || value === undefined ? null : JSON.stringify(value, replacer),
          });
        }
      }
      await repository.write(sessionId, items);
    },
  };

  return {
    state: { creds, keys },
    saveCreds: () => repository.write(sessionId, [{ ...CREDS, json: JSON.stringify(creds, replacer) }]),
  };
}
