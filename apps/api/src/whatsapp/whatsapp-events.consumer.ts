import { BUS_TRANSPORT } from '@app/messaging';
import { WhatsappNumbersService, WorkerRegistry, parseHeartbeat, parseWorkerEvent } from '@app/whatsapp';
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

/**
 * `whatsapp.worker.events`: each worker event updates its number (idempotently), and its domain
 * event reaches the live streams of every API process through `hourglass.events` (each process
 * consumes its share of the worker queue, but follows every domain event); heartbeats keep the
 * worker registry fresh (and show a worker whose driver differs from the API's). A malformed
 * event throws, and the bus dead-letters it.
 */
@Controller()
export class WhatsappEventsConsumer {
  constructor(
    private readonly numbers: WhatsappNumbersService,
    private readonly workers: WorkerRegistry,
  ) {}

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
