import { DriverSession, DriverSessionListener, RestorableSession, WhatsappDriver } from '../whatsapp-driver';
import { AuthStateStore } from './baileys-auth-state.repository';
import { BaileysConnection, BaileysConnectionOptions } from './baileys-connection';
import { BaileysRuntime } from './baileys-runtime';

const META = { category: 'meta', itemId: 'session' } as const;

interface SessionMeta {
  workerId: string;
  numberId: number;
  phoneNumber: string;
  registered: boolean;
}

export interface BaileysDriverOptions {
  workerId: string;
  qrTimeoutMs: number;
  backoff?: BaileysConnectionOptions['backoff'];
}

/**
 * The real WhatsApp Web client (Baileys 7, loaded with a dynamic import on first use). Baileys
 * shows a new QR every `qrTimeout` by itself (`rotatesQr`); the session manager counts them.
 * Credentials live encrypted in PostgreSQL, tagged with the worker that holds the session, so a
 * restarted worker reopens the sessions it had connected.
 */
export class BaileysDriver implements WhatsappDriver {
  readonly name = 'baileys';
  readonly rotatesQr = true;

  constructor(
    private readonly runtime: () => Promise<BaileysRuntime>,
    private readonly repository: AuthStateStore,
    private readonly options: BaileysDriverOptions,
  ) {}

  async open(
    target: { sessionId: string; numberId: number; phoneNumber: string },
    listener: DriverSessionListener,
  ): Promise<DriverSession> {
    const runtime = await this.runtime();
    const remember = (registered: boolean) =>
      this.writeMeta(target.sessionId, {
        workerId: this.options.workerId,
        numberId: target.numberId,
        phoneNumber: target.phoneNumber,
        registered,
      });
    // Taking a session over (another worker died) makes it ours from now on.
    await remember(await this.isRegistered(target.sessionId));
    const connection = new BaileysConnection(target.sessionId, listener, runtime, this.repository, {
      qrTimeoutMs: this.options.qrTimeoutMs,
      backoff: this.options.backoff ?? { baseMs: 1_000, maxMs: 30_000, retries: 5 },
      onRegistered: remember,
    });
    await connection.open();
    return connection;
  }

  async restorable(): Promise<RestorableSession[]> {
    const metas = await this.repository.readAll(META.category, META.itemId);
    return metas
      .map(({ json }) => JSON.parse(json) as SessionMeta)
      .filter((meta) => meta.registered && meta.workerId === this.options.workerId)
      .map(({ numberId, phoneNumber }) => ({ numberId, phoneNumber }));
  }

  private async isRegistered(sessionId: string): Promise<boolean> {
    const json = (await this.repository.read(sessionId, META.category, [META.itemId])).get(META.itemId);
    return json !== undefined && (JSON.parse(json) as SessionMeta).registered;
  }

  private writeMeta(sessionId: string, meta: SessionMeta): Promise<void> {
    return this.repository.write(sessionId, [{ ...META, json: JSON.stringify(meta) }]);
  }
}
