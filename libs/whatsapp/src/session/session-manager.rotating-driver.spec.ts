import { Logger } from '@nestjs/common';
import { DriverSessionListener, WhatsappDriver } from '../drivers/whatsapp-driver';
import { WorkerEvent } from '../whatsapp-messages';
import { SessionManager } from './session-manager.service';

const T0 = 1_765_029_000_000;
const PHONE = '+221771234567';
const SID = `session_6_${PHONE}`;
const QR_MS = 20_000;
const fakeImage = (payload: string) =>
  Promise.resolve(`data:image/png;base64,${Buffer.from(payload).toString('base64')}`);

function setup(driver: WhatsappDriver, maxQrRetries = 3) {
  const events: WorkerEvent[] = [];
  const manager = new SessionManager(driver, (event) => Promise.resolve(void events.push(event)), {
    workerId: 'worker-1',
    qrTimeoutMs: QR_MS,
    maxQrRetries,
    watchdogGraceMs: 5_000,
    renderQr: fakeImage,
  });
  return { events, manager, actions: () => events.map((event) => event.action) };
}

const validate = (timestamp = T0, numberId = 6) => ({
  action: 'validate_number' as const,
  data: { numberId, phoneNumber: PHONE },
  timestamp,
});
const regenerate = (timestamp: number) => ({
  action: 'regenerate_qr' as const,
  data: { numberId: 6, phoneNumber: PHONE, workerId: 'worker-1' },
  timestamp,
});

describe(`${SessionManager.name} with a driver that rotates QRs itself (Baileys)`, () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    for (const level of ['log', 'warn', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
    }
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  function rotatingDriver() {
    const listeners: DriverSessionListener[] = [];
    const driver: WhatsappDriver = {
      name: 'baileys',
      rotatesQr: true,
      open: (_target, listener) => {
        listeners.push(listener);
        return Promise.resolve({ close: () => Promise.resolve() });
      },
      restorable: () => Promise.resolve([]),
    };
    return { driver, listeners };
  }

  it('counts each rotated QR as an expiry, and a "QR refs ended" close as one more', async () => {
    const { driver, listeners } = rotatingDriver();
    const { manager, events, actions } = setup(driver);
    await manager.validate(validate());
    listeners[0].qr('ref-1');
    await jest.advanceTimersByTimeAsync(0);
    await jest.advanceTimersByTimeAsync(QR_MS);
    listeners[0].qr('ref-2'); // Baileys rotated at QR_MS, before the watchdog
    await jest.advanceTimersByTimeAsync(0);
    expect(events.at(-2)).toMatchObject({ action: 'qr_regenerating', attempt: 1 });
    expect(events.at(-1)).toMatchObject({ action: 'qr_generated', qrCode: await fakeImage('ref-2') });
    listeners[0].ended('qr_expired', 'QR refs attempts ended');
    await jest.advanceTimersByTimeAsync(0);
    expect(events.at(-1)).toMatchObject({ action: 'qr_regenerating', attempt: 2 });
    expect(listeners).toHaveLength(2); // reopened
    listeners[1].qr('ref-3');
    await jest.advanceTimersByTimeAsync(0);
    expect(actions()).toEqual(['qr_generated', 'qr_regenerating', 'qr_generated', 'qr_regenerating', 'qr_generated']);
    // No rotation arrives: the watchdog expires it after QR_MS + grace.
    await jest.advanceTimersByTimeAsync(QR_MS + 5_000);
    expect(events.at(-1)).toMatchObject({ action: 'qr_regenerating', attempt: 3 });
  });

  it('ignores callbacks of a connection it already replaced', async () => {
    const { driver, listeners } = rotatingDriver();
    const { manager, actions } = setup(driver);
    await manager.validate(validate());
    listeners[0].qr('ref-1');
    await manager.regenerate(regenerate(T0 + 1));
    listeners[0].connected(); // the old connection, closed by the regeneration
    listeners[1].qr('ref-2');
    await jest.advanceTimersByTimeAsync(0);
    expect(actions()).toEqual(['qr_generated', 'qr_generated']);
  });

  it('reopens the sessions a restarted worker had connected, without a QR', async () => {
    const { driver, listeners } = rotatingDriver();
    driver.restorable = () => Promise.resolve([{ numberId: 6, phoneNumber: PHONE }]);
    const { manager, events } = setup(driver);
    await expect(manager.restore()).resolves.toBe(1);
    listeners[0].connected(); // saved credentials: straight to open
    await jest.advanceTimersByTimeAsync(0);
    expect(events).toEqual([{ action: 'connected', numberId: 6, sessionId: SID, workerId: 'worker-1', timestamp: T0 }]);
    await manager.validate(validate(T0 + 1)); // the API's retry finds it connected: no second session
    expect(listeners).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ action: 'connected' });
  });

  it('removes the session with an error when the phone logs out or another client replaces it', async () => {
    const { driver, listeners } = rotatingDriver();
    const { manager, events } = setup(driver);
    await manager.validate(validate());
    listeners[0].connected();
    await jest.advanceTimersByTimeAsync(0);
    listeners[0].ended('replaced');
    await jest.advanceTimersByTimeAsync(0);
    expect(events.at(-1)).toMatchObject({ action: 'error', error: expect.stringMatching(/replaced/) });
    expect(manager.sessionCount).toBe(0);
  });
});
