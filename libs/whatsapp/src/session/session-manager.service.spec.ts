import { Logger } from '@nestjs/common';
import { SimulatorDriver } from '../drivers/simulator.driver';
import { WhatsappDriver } from '../drivers/whatsapp-driver';
import { WorkerEvent } from '../whatsapp-messages';
import { SessionManager } from './session-manager.service';

const T0 = 1_765_029_000_000;
const PHONE = '+221771234567';
const SID = `session_6_${PHONE}`;
const QR_MS = 20_000;
const fakeImage = (payload: string) =>
  Promise.resolve(`data:image/png;base64,${Buffer.from(payload).toString('base64')}`);

function setup(driver: WhatsappDriver = new SimulatorDriver(), maxQrRetries = 3) {
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
const scan = { data: { numberId: 6 } };

/**
 * Lets `n` QR lifetimes pass, one at a time: fake timers do not wait for the promise chain a
 * timer starts (expire → publish → reopen → show), so one long jump would shift later QRs.
 */
async function elapseQrLifetimes(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await jest.advanceTimersByTimeAsync(QR_MS);
    await jest.advanceTimersByTimeAsync(0);
  }
}

describe(SessionManager.name, () => {
  let logs: string[];

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    logs = [];
    for (const level of ['log', 'warn', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
        logs.push(String(args[0]));
      });
    }
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it("sends the seed's qr_generated then connected when the QR is scanned before it expires (scenario 1)", async () => {
    const { manager, events } = setup();
    await manager.validate(validate());
    await jest.advanceTimersByTimeAsync(0);
    expect(events).toEqual([
      {
        action: 'qr_generated',
        numberId: 6,
        sessionId: SID,
        qrCode: expect.stringMatching(/^data:image\/png;base64,/),
        workerId: 'worker-1',
        timestamp: T0,
      },
    ]);
    const payload = Buffer.from(String((events[0] as { qrCode: string }).qrCode).split(',')[1], 'base64').toString();
    expect(payload).toMatch(
      /^https:\/\/wa\.me\/settings\/linked_devices#2@[A-Za-z0-9+/=]+,[A-Za-z0-9+/=]{44},[A-Za-z0-9+/=]{44},[A-Za-z0-9+/=]{44},1$/,
    );

    await jest.advanceTimersByTimeAsync(15_000);
    await expect(manager.simulateScan(scan)).resolves.toBe(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(events[1]).toEqual({
      action: 'connected',
      numberId: 6,
      sessionId: SID,
      workerId: 'worker-1',
      timestamp: T0 + 15_000,
    });
    expect(logs).toContain(`Session ${SID} connected successfully`);
    // Connected: the QR timer is gone, nothing more happens.
    await jest.advanceTimersByTimeAsync(120_000);
    expect(events).toHaveLength(2);
  });

  it('regenerates an expired QR 3 times (1/3, 2/3, 3/3), then sends the error and removes the session (scenarios 2 to 5)', async () => {
    const { manager, events, actions } = setup();
    await manager.validate(validate());
    await jest.advanceTimersByTimeAsync(0);
    logs.length = 0;
    await jest.advanceTimersByTimeAsync(QR_MS);
    expect(events.slice(1)).toEqual([
      {
        action: 'qr_regenerating',
        numberId: 6,
        sessionId: SID,
        attempt: 1,
        maxAttempts: 3,
        message: 'QR code expired. Generating new QR code (attempt 1/3)',
        workerId: 'worker-1',
        timestamp: T0 + QR_MS,
      },
      {
        action: 'qr_generated',
        numberId: 6,
        sessionId: SID,
        qrCode: expect.stringMatching(/^data:image\/png;base64,/),
        workerId: 'worker-1',
        timestamp: T0 + QR_MS + 1,
      },
    ]);
    expect(logs).toEqual([
      `QR code expired for ${SID}. Attempt 1/3`,
      `Regenerating QR code for ${SID} (attempt 1/3)...`,
      `Creating new WhatsApp session: ${SID}`,
      `QR Code generated for ${SID}`,
      'QR Code sent to backend for number 6',
    ]);
    // Each regeneration shows a new QR.
    expect((events[2] as { qrCode: string }).qrCode).not.toBe((events[0] as { qrCode: string }).qrCode);

    await elapseQrLifetimes(2);
    expect(
      events
        .filter((event) => event.action === 'qr_regenerating')
        .map((event) => [event.attempt, event.maxAttempts, event.message]),
    ).toEqual([
      [1, 3, 'QR code expired. Generating new QR code (attempt 1/3)'],
      [2, 3, 'QR code expired. Generating new QR code (attempt 2/3)'],
      [3, 3, 'QR code expired. Generating new QR code (attempt 3/3)'],
    ]);
    expect(manager.sessionCount).toBe(1);

    logs.length = 0;
    await jest.advanceTimersByTimeAsync(QR_MS - 1);
    expect(events).toHaveLength(7); // the 4th QR still lives
    await jest.advanceTimersByTimeAsync(1);
    expect(events[7]).toEqual({
      action: 'error',
      numberId: 6,
      sessionId: SID,
      error: 'QR code generation failed after 3 attempts. Please request a new validation.',
      workerId: 'worker-1',
      timestamp: T0 + 4 * QR_MS,
    });
    expect(logs).toEqual([
      `QR code expired for ${SID}. Attempt 3/3`,
      `Max QR retry attempts (3) reached for ${SID}. Giving up.`,
    ]);
    expect(manager.sessionCount).toBe(0);
    expect(actions()).toEqual([
      'qr_generated',
      'qr_regenerating',
      'qr_generated',
      'qr_regenerating',
      'qr_generated',
      'qr_regenerating',
      'qr_generated',
      'error',
    ]);
    await expect(manager.simulateScan(scan)).resolves.toBe(false); // nothing left to scan
    await jest.advanceTimersByTimeAsync(120_000);
    expect(events).toHaveLength(8);
  });

  it('follows the timeline of the seed: failure 4 QR lifetimes after the request', async () => {
    const { manager, events } = setup();
    await manager.validate(validate());
    await jest.advanceTimersByTimeAsync(0);
    await elapseQrLifetimes(4);
    expect(events.at(-1)).toMatchObject({ action: 'error', timestamp: T0 + 4 * QR_MS });
  });

  it("answers a manual regeneration of a connected session with connected and the seed's message, keeping the session", async () => {
    const { manager, events } = setup();
    await manager.validate(validate());
    await jest.advanceTimersByTimeAsync(0);
    await manager.simulateScan(scan);
    await jest.advanceTimersByTimeAsync(1_000);
    await manager.regenerate(regenerate(T0 + 100_000));
    expect(events.at(-1)).toEqual({
      action: 'connected',
      numberId: 6,
      sessionId: SID,
      message: 'Session already connected. No QR needed.',
      workerId: 'worker-1',
      timestamp: T0 + 1_000,
    });
    expect(manager.sessionCount).toBe(1);
  });

  it('replaces an unconnected session on manual regeneration, with the counter back at 0', async () => {
    const { manager, events } = setup();
    await manager.validate(validate());
    await jest.advanceTimersByTimeAsync(0);
    await elapseQrLifetimes(2);
    await jest.advanceTimersByTimeAsync(5_000); // attempt 2/3 in progress
    logs.length = 0;
    await manager.regenerate(regenerate(T0 + 200));
    await jest.advanceTimersByTimeAsync(0);
    expect(logs).toEqual([
      'Manual QR regeneration requested for number 6...',
      'Closing the existing session to regenerate the QR...',
      'Old session closed',
      'QR attempt counter reset for number 6',
      'Creating a new session to generate a new QR...',
      `Creating new WhatsApp session: ${SID}`,
      'New session created - new QR being generated for number 6',
      `QR Code generated for ${SID}`,
      'QR Code sent to backend for number 6',
    ]);
    expect(events.at(-1)).toMatchObject({ action: 'qr_generated', timestamp: T0 + 2 * QR_MS + 5_000 });
    // The old QR's timer is gone; the new QR lives a full QR_MS and its expiry is attempt 1/3 again.
    await jest.advanceTimersByTimeAsync(QR_MS);
    expect(events.at(-2)).toMatchObject({ action: 'qr_regenerating', attempt: 1 });
    expect(events.filter((event) => event.action === 'qr_regenerating')).toHaveLength(3);
  });

  it('starts a session when a manual regeneration finds none (after a failure, or a session owned by a dead worker)', async () => {
    const { manager, actions } = setup(new SimulatorDriver(), 0);
    await manager.validate(validate());
    await jest.advanceTimersByTimeAsync(0);
    await jest.advanceTimersByTimeAsync(QR_MS);
    expect(actions()).toEqual(['qr_generated', 'error']);
    await manager.regenerate(regenerate(T0 + 1));
    await jest.advanceTimersByTimeAsync(0);
    expect(actions()).toEqual(['qr_generated', 'error', 'qr_generated']);
  });

  it('resets the counter after a connection: a later validation starts again at attempt 1', async () => {
    const driver = new SimulatorDriver();
    const { manager, events } = setup(driver);
    await manager.validate(validate());
    await jest.advanceTimersByTimeAsync(0);
    await elapseQrLifetimes(2);
    await manager.simulateScan(scan);
    await jest.advanceTimersByTimeAsync(0);
    expect(events.at(-1)).toMatchObject({ action: 'connected' });
    driver.drop(SID, 'logged_out');
    await jest.advanceTimersByTimeAsync(0);
    expect(events.at(-1)).toMatchObject({
      action: 'error',
      error: 'WhatsApp logged this device out. Please request a new validation.',
    });
    await manager.validate(validate(T0 + 5));
    await jest.advanceTimersByTimeAsync(0);
    await jest.advanceTimersByTimeAsync(QR_MS);
    expect(events.at(-2)).toMatchObject({
      action: 'qr_regenerating',
      attempt: 1,
      message: 'QR code expired. Generating new QR code (attempt 1/3)',
    });
  });

  it('keeps a connected session through a dropped network (the driver reconnects with its credentials)', async () => {
    const driver = new SimulatorDriver(100);
    const { manager, actions } = setup(driver);
    await manager.validate(validate());
    await jest.advanceTimersByTimeAsync(0);
    await manager.simulateScan(scan);
    await jest.advanceTimersByTimeAsync(0);
    expect(driver.drop(SID, 'connection_lost')).toBe(true);
    await jest.advanceTimersByTimeAsync(100);
    expect(actions()).toEqual(['qr_generated', 'connected', 'connected']);
    expect(manager.sessionCount).toBe(1);
  });

  it('opens one session for duplicate and concurrent commands', async () => {
    const driver = new SimulatorDriver();
    const open = jest.spyOn(driver, 'open');
    const { manager, actions } = setup(driver);
    await Promise.all([
      manager.validate(validate(T0)),
      manager.validate(validate(T0)),
      manager.validate(validate(T0 + 1)),
      manager.regenerate(regenerate(T0 + 2)),
      manager.regenerate(regenerate(T0 + 2)),
    ]);
    await jest.advanceTimersByTimeAsync(0);
    // validate opened one; the first regenerate replaced it; its redelivery (same timestamp) did nothing.
    expect(open).toHaveBeenCalledTimes(2);
    expect(manager.sessionCount).toBe(1);
    expect(actions()).toEqual(['qr_generated']);
    // Only the live session expires: one regeneration per QR lifetime, not one per command.
    await jest.advanceTimersByTimeAsync(QR_MS);
    expect(actions()).toEqual(['qr_generated', 'qr_regenerating', 'qr_generated']);
  });

  it('keeps numbers apart: a session per number', async () => {
    const { manager, events } = setup();
    await Promise.all([manager.validate(validate(T0, 6)), manager.validate(validate(T0, 7))]);
    await jest.advanceTimersByTimeAsync(0);
    expect(events.map((event) => event.sessionId).sort()).toEqual([`session_6_${PHONE}`, `session_7_${PHONE}`]);
    expect(manager.sessionCount).toBe(2);
  });

  it('closes a session quietly on close_session', async () => {
    const { manager, events } = setup();
    await manager.validate(validate());
    await jest.advanceTimersByTimeAsync(0);
    await manager.close({ action: 'close_session', data: { numberId: 6 }, timestamp: T0 + 1 });
    await jest.advanceTimersByTimeAsync(5 * QR_MS);
    expect(events).toHaveLength(1);
    expect(manager.sessionCount).toBe(0);
  });
});
