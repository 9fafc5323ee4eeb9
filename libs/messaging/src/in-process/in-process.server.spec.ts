import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { throwError } from 'rxjs';
import { BusContext } from '../bus.context';
import { BusSettings } from '../messaging.options';
import { InProcessBroker } from './in-process-broker.service';
import { InProcessServer } from './in-process.server';

const Q = 'whatsapp.worker.commands';
const settings: BusSettings = {
  url: undefined,
  prefetch: 5,
  heartbeatSeconds: 5,
  reconnectSeconds: 1,
  publishTimeoutMs: 1_000,
  closeTimeoutMs: 200,
  connectionName: 'test',
};

function listen(server: InProcessServer): Promise<unknown> {
  return new Promise((resolve) => server.listen(resolve));
}

describe(InProcessServer.name, () => {
  let broker: InProcessBroker;
  let server: InProcessServer;

  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterAll(() => jest.restoreAllMocks());

  beforeEach(() => {
    broker = new InProcessBroker();
    server = new InProcessServer([Q], broker, settings);
  });

  afterEach(() => server.close());

  it('subscribes once even when listen() is called again, as a second startAllMicroservices() does', async () => {
    const consume = jest.spyOn(broker, 'consume');
    await expect(listen(server)).resolves.toBeUndefined();
    await expect(listen(server)).resolves.toBeUndefined();
    expect(consume).toHaveBeenCalledTimes(1);
  });

  it('refuses to listen again once closed', async () => {
    await listen(server);
    await server.close();
    await expect(listen(server)).resolves.toBeInstanceOf(Error);
  });

  it("passes the whole body and a BusContext to the handler of the body's action", async () => {
    const calls: [unknown, BusContext][] = [];
    server.addHandler(
      'validate_number',
      (body: unknown, context: BusContext) => {
        calls.push([body, context]);
        return Promise.resolve();
      },
      true,
    );
    await listen(server);
    const published = broker.publish(Q, { action: 'validate_number', data: { numberId: 6 } });
    await until(() => calls.length === 1);
    const [body, context] = calls[0] ?? [];
    expect(body).toEqual({ action: 'validate_number', data: { numberId: 6 } });
    expect(context?.getQueue()).toBe(Q);
    expect(context?.getMessageId()).toBe(published.messageId);
  });

  it('treats an erroring Observable (what Nest returns for a thrown error) as a failure: retried once, then dead-lettered', async () => {
    let attempts = 0;
    server.addHandler(
      'boom',
      () => {
        attempts += 1;
        return Promise.resolve(throwError(() => ({ status: 'error', message: 'Internal server error' })));
      },
      true,
    );
    await listen(server);
    broker.publish(Q, { action: 'boom' });
    await until(() => broker.deadLetters(Q).length === 1);
    expect(attempts).toBe(2);
  });

  it('stops taking messages on close() but waits for the running handler, within the bound', async () => {
    let finished = 0;
    server.addHandler(
      'slow',
      async () => {
        await sleep(100);
        finished += 1;
      },
      true,
    );
    await listen(server);
    broker.publish(Q, { action: 'slow' });
    await sleep(20); // the handler is running
    await server.close();
    expect(finished).toBe(1);
    broker.publish(Q, { action: 'slow' });
    await sleep(20);
    expect(broker.depth(Q)).toBe(1);
  });
});

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met');
    }
    await sleep(5);
  }
}
