import { BUS_TRANSPORT, BusContext } from '@app/messaging';
import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { SessionManager } from '../session/session-manager.service';
import { parseWhatsappCommand } from '../whatsapp-command.parser';
import { MalformedMessageError } from '../whatsapp.errors';
import { WhatsappCommand } from '../whatsapp-messages';

/**
 * The worker's command queues (`whatsapp.worker.commands` and `…<WORKER_ID>`): checks each body
 * and hands it to the session manager; a message is acked once the manager is done with it. A
 * malformed body is logged and thrown, which the bus turns into a dead letter (after its one
 * redelivery); actions without a handler here are dead-lettered by the bus at once.
 */
@Controller()
export class WhatsappCommandsConsumer {
  private readonly logger = new Logger('WhatsApp');

  constructor(private readonly sessions: SessionManager) {}

  @EventPattern('validate_number', BUS_TRANSPORT)
  async validateNumber(@Payload() body: unknown, @Ctx() context: BusContext): Promise<void> {
    const command = this.parse(body, context, 'validate_number');
    await this.sessions.validate(command);
  }

  @EventPattern('regenerate_qr', BUS_TRANSPORT)
  async regenerateQr(@Payload() body: unknown, @Ctx() context: BusContext): Promise<void> {
    const command = this.parse(body, context, 'regenerate_qr');
    await this.sessions.regenerate(command);
  }

  @EventPattern('simulate_scan', BUS_TRANSPORT)
  async simulateScan(@Payload() body: unknown, @Ctx() context: BusContext): Promise<void> {
    const command = this.parse(body, context, 'simulate_scan');
    await this.sessions.simulateScan(command);
  }

  @EventPattern('close_session', BUS_TRANSPORT)
  async closeSession(@Payload() body: unknown, @Ctx() context: BusContext): Promise<void> {
    const command = this.parse(body, context, 'close_session');
    await this.sessions.close(command);
  }

  private parse<A extends WhatsappCommand['action']>(
    body: unknown,
    context: BusContext,
    action: A,
  ): Extract<WhatsappCommand, { action: A }> {
    try {
      return parseWhatsappCommand(body) as Extract<WhatsappCommand, { action: A }>;
    } catch (error) {
      if (error instanceof MalformedMessageError) {
        // The body itself is never logged: it may carry phone numbers.
        this.logger.warn(`Rejected a ${action} command from ${context.getQueue()}: ${error.message}`);
      }
      throw error;
    }
  }
}
