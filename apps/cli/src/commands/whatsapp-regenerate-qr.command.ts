import { AppError } from '@app/common';
import { AppConfig } from '@app/config';
import { WhatsappNumbersService } from '@app/whatsapp';
import { Command, Option, SubCommand } from 'nest-commander';
import { CommandReport, ReportingCommand } from '../output/reporting-command';
import { CommandGroup } from '../command-group';

interface RegenerateQrOptions {
  numberId: number;
}

/** The admin's manual regeneration (seed 004), as `POST /api/whatsapp/numbers/:id/regenerate-qr/` does it. */
@SubCommand({
  name: 'regenerate-qr',
  description: 'Force a new QR code for a number, with the attempt counter back at 0',
})
export class WhatsappRegenerateQrCommand extends ReportingCommand<RegenerateQrOptions> {
  constructor(
    private readonly numbers: WhatsappNumbersService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  protected async execute(_args: string[], options: RegenerateQrOptions): Promise<CommandReport> {
    if (this.config.embeddedBus) {
      // The in-process bus lives inside the API process; a command published here would reach no worker.
      throw new AppError(
        'bus_unavailable',
        'whatsapp regenerate-qr needs AMQP_URL (the workers listen on RabbitMQ); with the in-process bus use POST /api/whatsapp/numbers/<id>/regenerate-qr/ on the running API',
      );
    }
    const { numberId, phoneNumber, queue } = await this.numbers.regenerateQr(options.numberId);
    return {
      human: [`QR regeneration requested for number ${numberId} (${phoneNumber}): regenerate_qr sent to ${queue}.`],
      json: { numberId, phoneNumber, queue },
    };
  }

  @Option({ flags: '--number-id <id>', description: 'The id of the WhatsApp number', required: true })
  parseNumberId(value: string): number {
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      throw new AppError('invalid', `--number-id must be a positive integer, not ${JSON.stringify(value)}`);
    }
    return Number(value);
  }
}

@Command({ name: 'whatsapp', description: 'WhatsApp number validation', subCommands: [WhatsappRegenerateQrCommand] })
export class WhatsappCommand extends CommandGroup {}
