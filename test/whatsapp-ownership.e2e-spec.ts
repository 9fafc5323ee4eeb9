import { setTimeout as sleep } from 'node:timers/promises';
import { MessageBus, WORKER_COMMANDS_QUEUE, workerCommandQueue } from '@app/messaging';
import { runApp, stackTargets } from '@app/testing';
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { startAuthApp } from './support/auth-app';
import {
  NumberState,
  WHATSAPP_TEST_ENV,
  WhatsappActor,
  eventually,
  startWorker,
  whatsappActor,
} from './support/whatsapp-app';

const withServers = stackTargets().includes('servers');

(withServers ? describe : describe.skip)('session ownership with two workers on RabbitMQ', () => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  const workers = new Map<string, INestApplication>();
  let owner: WhatsappActor;
  let admin: WhatsappActor;
  let env: Record<string, string>;

  beforeAll(async () => {
    let stack: { env: Record<string, string> };
    ({ app, close, stack } = await startAuthApp('servers', {
      ...WHATSAPP_TEST_ENV,
      WHATSAPP_QR_TIMEOUT: '2s',
      LOG_LEVEL: 'silent',
    }));
    env = stack.env;
    for (const id of ['worker-a', 'worker-b']) {
      workers.set(
        id,
        await startWorker({ ...stack.env, ...WHATSAPP_TEST_ENV, WHATSAPP_QR_TIMEOUT: '2s', WORKER_ID: id }),
      );
    }
    owner = await whatsappActor(app, 'owner', 'customer');
    admin = await whatsappActor(app, 'admin', 'admin');
    // Both workers have announced themselves (their heartbeats reach the API's registry).
    await eventually(
      () =>
        app.get(DataSource).query<{ worker_id: string }[]>('SELECT worker_id FROM whatsapp_workers ORDER BY worker_id'),
      (rows) => rows.length === 2,
    );
  });

  afterAll(async () => {
    for (const worker of workers.values()) {
      await worker.close();
    }
    await close?.();
  });

  const state = async (id: number) => (await owner.get(`/api/whatsapp/numbers/${id}/`)).body as NumberState;

  it('sends commands for a session to its owner, and to the shared queue once the owner is gone, where the other worker takes over', async () => {
    const { body: number } = await owner.post('/api/whatsapp/numbers/', { phoneNumber: '+221775550001' }).expect(201);
    await owner.post(`/api/whatsapp/numbers/${number.id}/validate/`).expect(202);
    const first = await eventually(
      () => state(number.id),
      (current) => current.status === 'qr_ready',
    );
    const ownerId = first.workerId!;
    const otherId = ownerId === 'worker-a' ? 'worker-b' : 'worker-a';
    expect(workers.has(ownerId)).toBe(true);

    const publish = jest.spyOn(app.get(MessageBus), 'publish');
    await admin.post(`/api/whatsapp/numbers/${number.id}/regenerate-qr/`).expect(202);
    expect(publish).toHaveBeenLastCalledWith(workerCommandQueue(ownerId), {
      action: 'regenerate_qr',
      data: { numberId: number.id, phoneNumber: '+221775550001', workerId: ownerId },
      timestamp: expect.any(Number),
    });
    const regenerated = await eventually(
      () => state(number.id),
      (current) => current.status === 'qr_ready' && current.qrCode !== first.qrCode,
    );
    expect(regenerated.workerId).toBe(ownerId);

    // The owner dies; after 3 silent heartbeat intervals the API stops routing to it.
    await workers.get(ownerId)!.close();
    workers.delete(ownerId);
    await sleep(3 * 200 + 400);
    await admin.post(`/api/whatsapp/numbers/${number.id}/regenerate-qr/`).expect(202);
    expect(publish).toHaveBeenLastCalledWith(WORKER_COMMANDS_QUEUE, {
      action: 'regenerate_qr',
      data: { numberId: number.id, phoneNumber: '+221775550001' },
      timestamp: expect.any(Number),
    });
    const takenOver = await eventually(
      () => state(number.id),
      (current) => current.status === 'qr_ready' && current.workerId === otherId,
    );
    expect(takenOver).toMatchObject({ attempt: 0, qrCode: expect.stringMatching(/^data:image\/png;base64,/) });

    // The new owner gets the next command on its own queue, and the scan connects there.
    await admin.post(`/api/whatsapp/numbers/${number.id}/simulate-scan/`).expect(202);
    expect(publish).toHaveBeenLastCalledWith(workerCommandQueue(otherId), {
      action: 'simulate_scan',
      data: { numberId: number.id },
      timestamp: expect.any(Number),
    });
    await eventually(
      () => state(number.id),
      (current) => current.status === 'connected' && current.workerId === otherId,
    );
    publish.mockRestore();
  });

  it('lets the admin regenerate a QR from the CLI (`whatsapp regenerate-qr --number-id N`)', async () => {
    const { body: number } = await owner.post('/api/whatsapp/numbers/', { phoneNumber: '+221775550002' }).expect(201);
    const cli = (args: string[]) =>
      runApp('cli', { ...env, ...WHATSAPP_TEST_ENV, LOG_LEVEL: 'warn' }, ['whatsapp', 'regenerate-qr', ...args]);

    const early = await cli(['--number-id', String(number.id)]);
    expect(early).toMatchObject({ code: 1, stdout: '' });
    expect(early.stderr.trim()).toBe('Error: This number was never validated: request a validation first.');

    await owner.post(`/api/whatsapp/numbers/${number.id}/validate/`).expect(202);
    const first = await eventually(
      () => state(number.id),
      (current) => current.status === 'qr_ready',
    );
    const result = await cli(['--number-id', String(number.id)]);
    expect(result).toMatchObject({
      code: 0,
      stdout: `QR regeneration requested for number ${number.id} (+221775550002): regenerate_qr sent to whatsapp.worker.commands.${first.workerId}.\n`,
    });
    await eventually(
      () => state(number.id),
      (current) => current.status === 'qr_ready' && current.qrCode !== first.qrCode,
    );

    const unknown = await cli(['--number-id', '999999']);
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr.trim()).toBe('Error: Not found.');
    // Past PostgreSQL's integer: no number has that id (the query would fail, not find nothing).
    const beyond = await cli(['--number-id', '2147483648']);
    expect(beyond).toMatchObject({ code: 1 });
    expect(beyond.stderr.trim()).toBe('Error: Not found.');
  });
});
