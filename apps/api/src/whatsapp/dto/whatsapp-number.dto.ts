import { NUMBER_STATUSES } from '@app/whatsapp';
import { ApiProperty } from '@nestjs/swagger';

// Documentation only: the service validates the `unknown` body itself (E.164, `{detail, code}` errors).

export class CreateWhatsappNumberDto {
  @ApiProperty({ example: '+221771234567', description: 'E.164: `+`, country code, number; 8 to 15 digits.' })
  phoneNumber!: string;
}

export class WhatsappNumberDto {
  @ApiProperty({ example: 6 }) id!: number;
  @ApiProperty({ example: '+221771234567' }) phoneNumber!: string;
  @ApiProperty({
    enum: NUMBER_STATUSES,
    example: 'qr_ready',
    description: '`regenerating`: the QR expired and a new one is coming (attempt n/max).',
  })
  status!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'data:image/png;base64,iVBORw0KGgo…',
    description: 'The QR on display, a PNG data URL.',
  })
  qrCode!: string | null;
  @ApiProperty({ example: 1, description: 'Automatic regenerations used so far.' }) attempt!: number;
  @ApiProperty({ example: 3 }) maxAttempts!: number;
  @ApiProperty({ type: String, nullable: true, example: 'worker-1', description: 'The worker that owns the session.' })
  workerId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) lastError!: string | null;
}

export class AcceptedDto {
  @ApiProperty({ example: 'accepted' }) status!: string;
}

export const ERROR_EXAMPLES = {
  notFound: {
    description: 'No such number, or not yours.',
    schema: { example: { detail: 'Not found.', code: 'not_found' } },
  },
  busDown: {
    description: 'The broker did not take the command in time.',
    schema: {
      example: {
        detail: 'The WhatsApp workers cannot be reached right now. Try again in a moment.',
        code: 'bus_unavailable',
      },
    },
  },
  notValidated: {
    detail: 'This number was never validated: request a validation first.',
    code: 'validation_not_requested',
  },
  simulatorOnly: {
    detail: 'Simulated scans exist only with the simulator driver (WHATSAPP_DRIVER=simulator).',
    code: 'simulator_only',
  },
} as const;
