import { WORKER_COMMANDS_QUEUE } from '@app/messaging';
import { AppProcess, TestStack, createDatabaseTestApp, createTestStack, stackTargets } from '@app/testing';
import { connect } from 'amqplib';

const withServers = stackTargets().includes('servers');

(withServers ? describe : describe.skip)('the compiled worker with the Baileys driver', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await createTestStack('servers');
    await (await createDatabaseTestApp({ env: stack.env })).close(); // the API's migrations; the worker never migrates
  });
  afterAll(async () => stack?.cleanup());

  it('loads Baileys (ESM) and opens a WhatsApp Web socket for a validation', async () => {
    const worker = AppProcess.start('worker', {
      ...stack.env,
      WORKER_ID: 'worker-b',
      WHATSAPP_DRIVER: 'baileys',
      LOG_LEVEL: 'info',
      JWT_SIGNING_KEY: 'baileys-test-signing-key-0123456789-0123456789',
    });
    try {
      await worker.waitFor(/Worker worker-b is waiting for commands/);
      const connection = await connect(stack.env.AMQP_URL);
      const channel = await connection.createChannel();
      channel.sendToQueue(
        WORKER_COMMANDS_QUEUE,
        Buffer.from(
          JSON.stringify({
            action: 'validate_number',
            data: { numberId: 6, phoneNumber: '+221771234567' },
            timestamp: Date.now(),
          }),
        ),
        { contentType: 'application/json', persistent: true },
      );
      await worker.waitFor(/Creating new WhatsApp session: session_6_\+221771234567/);
      // Offline (as in CI) the socket fails with a network 408 and the driver backs off; online, Baileys shows a QR.
      await worker.waitFor(
        /session_6_\+221771234567 closed \(408: .*\); reconnecting in 1000 ms \(try 1\/5\)|QR Code generated for session_6_\+221771234567/,
        30_000,
      );
      await connection.close();
    } finally {
      expect(await worker.stop()).toBe('SIGTERM');
    }
  });
});
