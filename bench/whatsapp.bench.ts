import { ConfigModule, loadConfig } from '@app/config';
import { BUS_TRANSPORT, BusServerFactory, MessageBus, MessagingModule, WORKER_EVENTS_QUEUE } from '@app/messaging';
import { QrRenderPool, SessionManager, SimulatorDriver, WorkerEvent } from '@app/whatsapp';
import { Controller, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connect } from 'amqplib';
import { EventPattern } from '@nestjs/microservices';
import type { Metric } from './summary';

const QR_TIMEOUT_MS = 1_000;
const MAX_RETRIES = 3;
/** Per session: 4 QRs, 3 regenerations, 1 error. */
const EVENTS_PER_SESSION = 2 * (MAX_RETRIES + 1);

@Injectable()
class EventCounter {
  received = 0;
}

/** The API's side of `whatsapp.worker.events`, reduced to counting. */
@Controller()
class CountingConsumer {
  constructor(private readonly counter: EventCounter) {}

  @EventPattern('qr_generated', BUS_TRANSPORT)
  qrGenerated(): void {
    this.counter.received++;
  }

  @EventPattern('qr_regenerating', BUS_TRANSPORT)
  qrRegenerating(): void {
    this.counter.received++;
  }

  @EventPattern('error', BUS_TRANSPORT)
  error(): void {
    this.counter.received++;
  }
}

async function purgeEventsQueue(url: string): Promise<void> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    await channel.purgeQueue(WORKER_EVENTS_QUEUE).catch(() => undefined); // absent on a fresh broker: nothing to purge
  } finally {
    await connection.close().catch(() => undefined);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Issue 6: one worker's session manager with the simulator, SESSIONS sessions
 * (BENCH_WHATSAPP_SESSIONS, 1,000) validated at once, QR timeout 1 s, 3 regenerations: every
 * session runs its whole lifecycle (8 events). Events per second through the bus to a consumer,
 * publish latency (the worker's `publish` until the broker took the event), memory per live session.
 */
export async function whatsappMetrics(
  log: (line: string) => void,
  sessions = Number(process.env.BENCH_WHATSAPP_SESSIONS ?? 1_000),
): Promise<Metric[]> {
  const amqpUrl = process.env.BENCH_AMQP_URL?.trim() || undefined;
  const { config } = loadConfig({
    LOG_LEVEL: 'silent',
    JWT_SIGNING_KEY: 'bench-whatsapp-signing-key-0123456789-0123456789',
    ...(amqpUrl ? { AMQP_URL: amqpUrl } : {}),
  });

  @Module({
    imports: [ConfigModule.forRoot(config), MessagingModule.forRoot()],
    controllers: [CountingConsumer],
    providers: [EventCounter],
  })
  class WhatsappBenchModule {}

  if (amqpUrl !== undefined) {
    await purgeEventsQueue(amqpUrl); // earlier runs' leftovers would be counted as this run's events
  }
  const app = await NestFactory.create(WhatsappBenchModule, { logger: false });
  app.connectMicroservice({ strategy: app.get(BusServerFactory).create([WORKER_EVENTS_QUEUE]) });
  await app.init();
  await app.startAllMicroservices();
  const bus = app.get(MessageBus);
  const counter = app.get(EventCounter);
  const latencies: number[] = [];
  const sink = async (event: WorkerEvent) => {
    const started = performance.now();
    await bus.publish(WORKER_EVENTS_QUEUE, { ...event });
    latencies.push(performance.now() - started);
  };
  // As the worker module wires it: QR images rendered on a thread, off the event loop.
  const qr = new QrRenderPool();
  const manager = new SessionManager(new SimulatorDriver(), sink, {
    workerId: 'bench-worker',
    qrTimeoutMs: QR_TIMEOUT_MS,
    maxQrRetries: MAX_RETRIES,
    renderQr: (payload) => qr.render(payload),
  });
  try {
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: sessions }, (_, i) =>
        manager.validate({
          action: 'validate_number',
          data: { numberId: i + 1, phoneNumber: `+2217${String(10_000_000 + i)}` },
          timestamp: Date.now(),
        }),
      ),
    );
    while (counter.received < sessions) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const perSession = (process.memoryUsage().heapUsed - heapBefore) / sessions;
    const expected = sessions * EVENTS_PER_SESSION;
    const deadline = Date.now() + 60_000 + QR_TIMEOUT_MS * (MAX_RETRIES + 1);
    while (counter.received < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seconds = (performance.now() - started) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    log(
      `whatsapp: ${counter.received}/${expected} events in ${seconds.toFixed(2)} s; ${manager.sessionCount} sessions left; publish p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`,
    );
    const busName = amqpUrl ? 'RabbitMQ' : 'in-process bus';
    return [
      {
        metric: `WhatsApp events, ${sessions} simulated sessions, QR 1 s (${busName})`,
        unit: 'events/s',
        hourglass: counter.received / seconds,
        note: `${counter.received}/${expected} events over the whole lifecycle (${seconds.toFixed(1)} s, bound by the QR timeout)`,
      },
      { metric: 'WhatsApp event publish latency p50', unit: 'ms', hourglass: percentile(sorted, 50) },
      {
        metric: 'WhatsApp event publish latency p99',
        unit: 'ms',
        hourglass: percentile(sorted, 99),
        goal: { atMost: 50 },
      },
      { metric: 'WhatsApp memory per live session (heap)', unit: 'KB', hourglass: perSession / 1024 },
    ];
  } finally {
    await manager.shutdown();
    await qr.onApplicationShutdown();
    await app.close();
  }
}
