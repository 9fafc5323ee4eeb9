import { BUS_TRANSPORT } from '@app/messaging';
import { WhatsappNumbersService, WorkerRegistry, parseHeartbeat, parseWorkerEvent } from '@app/whatsapp';
import { Controller, OnApplicationBootstrap } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

/**
 * `whatsapp.worker.events`: each worker event updates its number (idempotently) and goes to the
 * live streams of every API process (each consumes its share of the queue); heartbeats keep the
 * worker registry fresh (and show a worker whose driver differs from the API's). A malformed
 * event throws, and the bus dead-letters it.
 */
@Controller()
export class WhatsappEventsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly numbers: WhatsappNumbersService,
    private readonly workers: WorkerRegistry,
  ) {}

  /** Before the consumers start and HTTP listens: a stream opened later misses no event. */
  onApplicationBootstrap(): Promise<void> {
    return this.numbers.listenForLiveEvents();
  }

  @EventPattern('qr_generated', BUS_TRANSPORT)
  qrGenerated(@Payload() body: unknown): Promise<void> {
    return this.numbers.applyEvent(parseWorkerEvent(body));
  }

  @EventPattern('qr_regenerating', BUS_TRANSPORT)
  qrRegenerating(@Payload() body: unknown): Promise<void> {
    return this.numbers.applyEvent(parseWorkerEvent(body));
  }

  @EventPattern('connected', BUS_TRANSPORT)
  connected(@Payload() body: unknown): Promise<void> {
    return this.numbers.applyEvent(parseWorkerEvent(body));
  }

  @EventPattern('error', BUS_TRANSPORT)
  error(@Payload() body: unknown): Promise<void> {
    return this.numbers.applyEvent(parseWorkerEvent(body));
  }

  @EventPattern('heartbeat', BUS_TRANSPORT)
  heartbeat(@Payload() body: unknown): Promise<void> {
    return this.workers.record(parseHeartbeat(body));
  }
}
