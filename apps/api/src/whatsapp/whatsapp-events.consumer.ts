import { BUS_TRANSPORT } from '@app/messaging';
import { WhatsappNumbersService, parseHeartbeat, parseWorkerEvent } from '@app/whatsapp';
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

/**
 * `whatsapp.worker.events`: each worker event updates its number (idempotently) and goes to the
 * live streams; heartbeats keep the worker registry fresh. A malformed event throws, and the bus
 * dead-letters it.
 */
@Controller()
export class WhatsappEventsConsumer {
  constructor(private readonly numbers: WhatsappNumbersService) {}

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
    return this.numbers.recordHeartbeat(parseHeartbeat(body));
  }
}
