import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, INestApplication, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { Observable, delay, of, tap } from 'rxjs';
import { ConfigModule, loadConfig } from '@app/config';
import { BusContext } from '../bus.context';
import { BusServerFactory } from '../bus-server.factory';
import { InProcessBroker } from '../in-process/in-process-broker.service';
import { MessageBus } from '../message-bus.service';
import { MessagingModule } from '../messaging.module';

// Test support only (imported by *.int-spec.ts / *.spec.ts, never by index.ts).

export interface Received {
  action: string;
  body: Record<string, unknown>;
  queue: string;
  messageId: string | undefined;
  redelivered: boolean;
}

/** Remembers every handler call, in order. */
@Injectable()
export class Recorder {
  readonly received: Received[] = [];

  record(body: Record<string, unknown>, context: BusContext): void {
    this.received.push({
      action: String(body.action),
      body,
      queue: context.getQueue(),
      messageId: context.getMessageId(),
      redelivered: context.isRedelivered(),
    });
  }

  of(action: string): Received[] {
    return this.received.filter((entry) => entry.action === action);
  }

  async waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) {
        throw new Error(`Condition not met within ${timeoutMs} ms (${this.received.length} message(s) received)`);
      }
      await sleep(10);
    }
  }
}

/** One handler per behaviour the tests need. */
@Controller()
export class TestBusController {
  constructor(private readonly recorder: Recorder) {}

  @EventPattern('validate_number')
  validateNumber(@Payload() body: Record<string, unknown>, @Ctx() context: BusContext): void {
    this.recorder.record(body, context);
  }

  @EventPattern('count')
  async count(@Payload() body: Record<string, unknown>, @Ctx() context: BusContext): Promise<void> {
    await sleep(Math.floor(Math.random() * 3)); // some handlers are in flight when the connection drops
    this.recorder.record(body, context);
  }

  @EventPattern('slow')
  async slow(@Payload() body: Record<string, unknown>, @Ctx() context: BusContext): Promise<void> {
    await sleep(Number(body.ms ?? 300));
    this.recorder.record(body, context);
  }

  @EventPattern('observable')
  observable(@Payload() body: Record<string, unknown>, @Ctx() context: BusContext): Observable<void> {
    // Acked only when the Observable completes, not when the handler returns it.
    return of(undefined).pipe(
      delay(50),
      tap(() => this.recorder.record(body, context)),
    );
  }

  @EventPattern('always_fails')
  alwaysFails(@Payload() body: Record<string, unknown>, @Ctx() context: BusContext): never {
    this.recorder.record(body, context);
    throw new Error('simulated handler failure');
  }

  @EventPattern('fails_once')
  failsOnce(@Payload() body: Record<string, unknown>, @Ctx() context: BusContext): void {
    this.recorder.record(body, context);
    if (!context.isRedelivered()) {
      throw new Error('simulated transient failure');
    }
  }
}

export interface BusTestApp {
  app: INestApplication;
  bus: MessageBus;
  broker: InProcessBroker;
  recorder: Recorder;
}

export interface BusTestAppOptions {
  /** Unset → in-process bus. */
  amqpUrl?: string;
  /** Queues this app consumes; none → a publisher-only app. */
  queues?: string[];
  prefetch?: number;
}

/** A Nest app wired like the real ones: MessagingModule + connectMicroservice(BusServerFactory.create). */
export async function createBusTestApp(options: BusTestAppOptions = {}): Promise<BusTestApp> {
  const { config } = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: tmpdir(),
    JWT_SIGNING_KEY: 'test-signing-key-that-is-long-enough-0123456789',
    AMQP_URL: options.amqpUrl,
    AMQP_PREFETCH: String(options.prefetch ?? 10),
  });
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      MessagingModule.forRoot({ reconnectSeconds: 0.5, closeTimeoutMs: 5_000, publishTimeoutMs: 20_000 }),
    ],
    controllers: [TestBusController],
    providers: [Recorder],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  if (options.queues && options.queues.length > 0) {
    await startBusServer(app, options.queues).catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
  }
  return { app, bus: app.get(MessageBus), broker: app.get(InProcessBroker), recorder: app.get(Recorder) };
}

/**
 * What an app's main.ts does to consume `queues` (connectMicroservice + startAllMicroservices),
 * starting only this new server, so a test can add one to an app that already consumes.
 */
export async function startBusServer(app: INestApplication, queues: string[]): Promise<void> {
  const microservice = app.connectMicroservice({ strategy: app.get(BusServerFactory).create(queues) });
  await microservice.listen();
}
