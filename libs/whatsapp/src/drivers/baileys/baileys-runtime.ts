import type {
  AuthenticationCreds,
  AuthenticationState,
  ConnectionState,
  SignalDataSet,
  SignalDataTypeMap,
  UserFacingSocketConfig,
} from 'baileys';

/** What the driver uses of a Baileys socket (`makeWASocket(...)`): its events and `end`. */
export interface BaileysSocket {
  ev: {
    on(event: 'connection.update', listener: (update: Partial<ConnectionState>) => void): void;
    on(event: 'creds.update', listener: (update: Partial<AuthenticationCreds>) => void): void;
  };
  end(error: Error | undefined): unknown;
}

/** The parts of the `baileys` package the driver needs; tests pass a fake with a scripted socket. */
export interface BaileysRuntime {
  makeWASocket(config: UserFacingSocketConfig): BaileysSocket;
  initAuthCreds(): AuthenticationCreds;
  BufferJSON: { replacer: (key: string, value: unknown) => unknown; reviver: (key: string, value: unknown) => unknown };
  /** Rebuilds an `app-state-sync-key` from its JSON form (Baileys stores it as a protobuf object). */
  appStateSyncKeyFromObject(value: object): SignalDataTypeMap['app-state-sync-key'];
}

export type { AuthenticationCreds, AuthenticationState, ConnectionState, SignalDataSet, SignalDataTypeMap };

/**
 * `import()` that TypeScript's CommonJS output leaves alone: `baileys` is ESM-only, and a
 * transpiled `require('baileys')` would fail with ERR_REQUIRE_ESM on Node 20.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- the one way to keep a native import() in CommonJS output
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

let loading: Promise<BaileysRuntime> | undefined;

/** Loads `baileys` once, on first use (the simulator never pays for it). */
export function loadBaileys(): Promise<BaileysRuntime> {
  loading ??= importModule('baileys').then((loaded) => {
    const mod = loaded as typeof import('baileys');
    return {
      makeWASocket: (config) => mod.makeWASocket(config),
      initAuthCreds: () => mod.initAuthCreds(),
      BufferJSON: mod.BufferJSON,
      appStateSyncKeyFromObject: (value) => mod.proto.Message.AppStateSyncKeyData.fromObject(value),
    };
  });
  return loading;
}
