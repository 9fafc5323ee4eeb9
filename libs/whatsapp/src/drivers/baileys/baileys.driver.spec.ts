import { EventEmitter } from 'node:events';
import { Boom } from '@hapi/boom';
import { Logger } from '@nestjs/common';
import { SessionManager } from '../../session/session-manager.service';
import { WorkerEvent } from '../../whatsapp-messages';
import { DriverSessionListener } from '../whatsapp-driver';
import { AuthStateStore, SealedItem } from './baileys-auth-state.repository';
import { BaileysDriver } from './baileys.driver';
import { AuthenticationCreds, BaileysRuntime, BaileysSocket, ConnectionState } from './baileys-runtime';

/** A Baileys socket whose `connection.update`s the test plays, in the shapes of baileys/lib/Socket/socket.js. */
class FakeSocket implements BaileysSocket {
  readonly emitter = new EventEmitter();
  readonly ev = {
    on: (event: string, listener: (arg: never) => void) =>
      void this.emitter.on(event, listener as (...args: unknown[]) => void),
  } as BaileysSocket['ev'];
  ended = false;
  constructor(readonly creds: AuthenticationCreds) {}

  update(update: Partial<ConnectionState>): void {
    this.emitter.emit('connection.update', update);
  }

  close(message: string, statusCode: number): void {
    this.update({
      connection: 'close',
      lastDisconnect: { error: new Boom(message, { statusCode }), date: new Date() },
    });
  }

  end(): void {
    this.ended = true;
  }
}

/** `whatsapp_auth_state` in memory; `sealed` is the stored JSON as is (the cipher has its own test). */
class MemoryStore implements AuthStateStore {
  readonly rows = new Map<string, string>();
  wiped: string[] = [];
  read(sessionId: string, category: string, itemIds: string[]) {
    const found = new Map<string, string>();
    for (const id of itemIds) {
      const json = this.rows.get(`${sessionId}|${category}|${id}`);
      if (json !== undefined) {
        found.set(id, json);
      }
    }
    return Promise.resolve(found);
  }
  write(sessionId: string, items: SealedItem[]) {
    for (const item of items) {
      const key = `${sessionId}|${item.category}|${item.itemId}`;
      if (item.json === null) {
        this.rows.delete(key);
      } else {
        this.rows.set(key, item.json);
      }
    }
    return Promise.resolve();
  }
  wipe(sessionId: string) {
    this.wiped.push(sessionId);
    for (const key of [...this.rows.keys()].filter((key) => key.startsWith(`${sessionId}|`))) {
      this.rows.delete(key);
    }
    return Promise.resolve();
  }
  readAll(category: string, itemId: string) {
    const rows = [...this.rows.entries()].filter(([key]) => key.endsWith(`|${category}|${itemId}`));
    return Promise.resolve(rows.map(([key, json]) => ({ sessionId: key.split('|')[0], json })));
  }
}

const SID = 'session_6_+221771234567';
const TARGET = { sessionId: SID, numberId: 6, phoneNumber: '+221771234567' };

function setup(workerId = 'worker-1') {
  const sockets: FakeSocket[] = [];
  const store = new MemoryStore();
  const runtime: BaileysRuntime = {
    makeWASocket: (config) => {
      const socket = new FakeSocket(config.auth.creds);
      sockets.push(socket);
      return socket;
    },
    initAuthCreds: () =>
      ({ noiseKey: { public: 'n', private: 'n' }, registered: false }) as unknown as AuthenticationCreds,
    BufferJSON: { replacer: (_key, value) => value, reviver: (_key, value) => value },
    appStateSyncKeyFromObject: (value) => value,
  };
  const driver = new BaileysDriver(() => Promise.resolve(runtime), store, {
    workerId,
    qrTimeoutMs: 20_000,
    backoff: { baseMs: 1_000, maxMs: 4_000, retries: 3 },
  });
  const seen: string[] = [];
  const listener: DriverSessionListener = {
    qr: (payload) => seen.push(`qr ${payload}`),
    connected: () => seen.push('connected'),
    ended: (reason) => seen.push(`ended ${reason}`),
  };
  return { sockets, store, driver, seen, listener };
}

const flush = () => jest.advanceTimersByTimeAsync(0);

describe(BaileysDriver.name, () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('passes QRs on, and after a scan reopens on the 515 "restart required" with the saved credentials, without a new QR', async () => {
    const { driver, sockets, seen, listener, store } = setup();
    await driver.open(TARGET, listener);
    sockets[0].update({ connection: 'connecting', receivedPendingNotifications: false, qr: undefined });
    sockets[0].update({ qr: '2@ref1,noise,identity,adv,1' });
    sockets[0].update({ qr: '2@ref2,noise,identity,adv,1' });
    // pair-success: Baileys saves the new credentials, then the server asks for a restart.
    Object.assign(sockets[0].creds, { registered: true, me: { id: '221771234567:1@s.whatsapp.net' } });
    sockets[0].emitter.emit('creds.update', { me: sockets[0].creds.me });
    sockets[0].update({ isNewLogin: true, qr: undefined });
    sockets[0].close('Stream Errored (restart required)', 515);
    await flush();
    expect(sockets).toHaveLength(2);
    expect(sockets[1].creds).toMatchObject({ me: { id: '221771234567:1@s.whatsapp.net' } }); // read back from the store
    sockets[1].update({ connection: 'open' });
    await flush();
    expect(seen).toEqual(['qr 2@ref1,noise,identity,adv,1', 'qr 2@ref2,noise,identity,adv,1', 'connected']);
    expect(JSON.parse(store.rows.get(`${SID}|meta|session`)!)).toEqual({
      workerId: 'worker-1',
      numberId: 6,
      phoneNumber: '+221771234567',
      registered: true,
    });
  });

  it('reports "QR refs attempts ended" (408) as an expired QR, not as a network failure', async () => {
    const { driver, sockets, seen, listener } = setup();
    await driver.open(TARGET, listener);
    sockets[0].update({ qr: 'ref-1' });
    sockets[0].close('QR refs attempts ended', 408);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(seen).toEqual(['qr ref-1', 'ended qr_expired']);
    expect(sockets).toHaveLength(1);
  });

  it('reconnects after a network 408 / 428 with growing backoff, and gives up after the last try', async () => {
    const { driver, sockets, seen, listener } = setup();
    await driver.open(TARGET, listener);
    sockets[0].update({ connection: 'open' });
    sockets[0].close('Connection was lost', 408);
    await jest.advanceTimersByTimeAsync(999);
    expect(sockets).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2); // after 1 s
    sockets[1].close('Connection Terminated', 428);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(sockets).toHaveLength(3); // after 2 s
    sockets[2].update({ connection: 'open' }); // back: the failure count restarts
    sockets[2].close('Connection was lost', 408);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(sockets).toHaveLength(4);
    for (const [index, wait] of [
      [3, 2_000],
      [4, 4_000],
    ] as const) {
      sockets[index].close('Connection Failure', 500);
      await jest.advanceTimersByTimeAsync(wait);
    }
    sockets[5].close('Connection Failure', 503);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(6);
    expect(seen).toEqual(['connected', 'connected', 'ended failed']);
  });

  it('wipes the credentials on a 401 logout and never reconnects', async () => {
    const { driver, sockets, seen, listener, store } = setup();
    await driver.open(TARGET, listener);
    sockets[0].update({ connection: 'open' });
    await flush();
    sockets[0].close('Intentional Logout', 401);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(seen).toEqual(['connected', 'ended logged_out']);
    expect(store.wiped).toEqual([SID]);
    expect([...store.rows.keys()].filter((key) => key.startsWith(SID))).toEqual([]);
    expect(sockets).toHaveLength(1);
  });

  it('never reconnects a session replaced elsewhere (440), so two workers cannot fight over it', async () => {
    const { driver, sockets, seen, listener } = setup();
    await driver.open(TARGET, listener);
    sockets[0].update({ connection: 'open' });
    sockets[0].close('Stream Errored (conflict)', 440);
    await jest.advanceTimersByTimeAsync(600_000);
    expect(seen).toEqual(['connected', 'ended replaced']);
    expect(sockets).toHaveLength(1);
  });

  it('ends the socket on close and ignores what it says afterwards', async () => {
    const { driver, sockets, seen, listener } = setup();
    const session = await driver.open(TARGET, listener);
    await session.close();
    expect(sockets[0].ended).toBe(true);
    sockets[0].update({ qr: 'late' });
    sockets[0].close('Connection Terminated', 428);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(seen).toEqual([]);
    expect(sockets).toHaveLength(1);
  });

  it('deletes the keys of a session closed before pairing, and keeps those of a paired one', async () => {
    const { driver, sockets, listener, store } = setup();
    const unpaired = await driver.open(TARGET, listener);
    sockets[0].emitter.emit('creds.update', {});
    await flush();
    expect(store.rows.has(`${SID}|creds|creds`)).toBe(true);
    await unpaired.close();
    expect(store.wiped).toEqual([SID]);

    const paired = await driver.open(TARGET, listener);
    Object.assign(sockets[1].creds, { me: { id: '221771234567:1@s.whatsapp.net' } });
    sockets[1].emitter.emit('creds.update', {});
    await flush();
    await paired.close();
    expect(store.wiped).toEqual([SID]);
    expect(store.rows.has(`${SID}|creds|creds`)).toBe(true);
  });

  it('restores only the paired sessions of this worker', async () => {
    const { driver, store } = setup('worker-1');
    const meta = (sessionId: string, workerId: string, registered: boolean, numberId: number) =>
      store.write(sessionId, [
        {
          category: 'meta',
          itemId: 'session',
          json: JSON.stringify({ workerId, numberId, phoneNumber: '+221770000000', registered }),
        },
      ]);
    await meta('session_1_+221770000000', 'worker-1', true, 1);
    await meta('session_2_+221770000000', 'worker-1', false, 2);
    await meta('session_3_+221770000000', 'worker-2', true, 3);
    await expect(driver.restorable()).resolves.toEqual([{ numberId: 1, phoneNumber: '+221770000000' }]);
  });

  it('drives the seed lifecycle with the session manager: rotated QRs are counted, a scan connects and resets the counter', async () => {
    const { driver, sockets } = setup();
    const events: WorkerEvent[] = [];
    const manager = new SessionManager(driver, (event) => Promise.resolve(void events.push(event)), {
      workerId: 'worker-1',
      qrTimeoutMs: 20_000,
      maxQrRetries: 3,
      renderQr: (payload) => Promise.resolve(`data:image/png;base64,${payload}`),
    });
    await manager.validate({
      action: 'validate_number',
      data: { numberId: 6, phoneNumber: '+221771234567' },
      timestamp: 1,
    });
    sockets[0].update({ qr: 'r1' });
    await flush();
    await jest.advanceTimersByTimeAsync(20_000);
    sockets[0].update({ qr: 'r2' }); // Baileys' own rotation
    await flush();
    sockets[0].close('Stream Errored (restart required)', 515);
    await flush();
    sockets[1].update({ connection: 'open' });
    await flush();
    expect(events.map((event) => [event.action, 'attempt' in event ? event.attempt : undefined])).toEqual([
      ['qr_generated', undefined],
      ['qr_regenerating', 1],
      ['qr_generated', undefined],
      ['connected', undefined],
    ]);
  });
});
