import { E164, InvalidPhoneNumberError, NUMBER_STATUSES } from '@app/whatsapp';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';
import { errorResponse } from '../../http/error-responses';
import { answeredWith } from '../../http/validation-pipe';

/**
 * E.164 after trimming. Any refusal (missing, not a string, wrong form) answers the contract's
 * single `invalid_phone_number` error, not the generic `invalid` body.
 */
const IsE164PhoneNumber = () =>
  ValidateBy(
    {
      name: 'isE164PhoneNumber',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && E164.test(value),
        defaultMessage: () => new InvalidPhoneNumberError().message,
      },
    },
    answeredWith(() => new InvalidPhoneNumberError()),
  );

export class CreateWhatsappNumberDto {
  @ApiProperty({
    example: '+221771234567',
    pattern: E164.source,
    description: 'E.164: `+`, country code, number; 8 to 15 digits. Surrounding spaces are ignored.',
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsE164PhoneNumber()
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

export class WhatsappNumberPageDto {
  @ApiProperty({ type: [WhatsappNumberDto], description: 'Newest first.' }) numbers!: WhatsappNumberDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Pass it as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}

export class AcceptedDto {
  @ApiProperty({ example: 'accepted' }) status!: string;
}

export const ERROR_EXAMPLES = {
  notFound: errorResponse(
    { detail: 'Not found.', code: 'not_found' },
    { description: 'No such number, or not yours.' },
  ),
  busDown: errorResponse(
    { detail: 'The WhatsApp workers cannot be reached right now. Try again in a moment.', code: 'bus_unavailable' },
    { description: 'The broker did not take the command in time.' },
  ),
  notValidated: {
    detail: 'This number was never validated: request a validation first.',
    code: 'validation_not_requested',
  },
  simulatorOnly: {
    detail: 'Simulated scans exist only with the simulator driver (WHATSAPP_DRIVER=simulator).',
    code: 'simulator_only',
  },
} as const;
