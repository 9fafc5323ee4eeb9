import { AppError } from '@app/common';
import { InvalidPhoneNumberError } from '@app/whatsapp';
import { ArgumentMetadata } from '@nestjs/common';
import { RequestValidationError } from '../../http/request-errors';
import { apiValidationPipe } from '../../http/validation-pipe';
import { CreateWhatsappNumberDto } from './whatsapp-number.dto';

const asBody: ArgumentMetadata = { type: 'body', metatype: CreateWhatsappNumberDto };

async function refusal(body: unknown): Promise<AppError> {
  const error: unknown = await apiValidationPipe()
    .transform(body, asBody)
    .then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
  if (!(error instanceof AppError)) {
    throw new Error(`expected an AppError, got ${String(error)}`);
  }
  return error;
}

describe(CreateWhatsappNumberDto.name, () => {
  it('accepts an E.164 number, trimmed, as a DTO instance', async () => {
    const dto: unknown = await apiValidationPipe().transform({ phoneNumber: ' +221771234567 ' }, asBody);
    expect(dto).toBeInstanceOf(CreateWhatsappNumberDto);
    expect(dto).toEqual({ phoneNumber: '+221771234567' });
  });

  it.each([
    ['a missing number', {}],
    ['a number without its "+"', { phoneNumber: '221771234567' }],
    ['a leading zero', { phoneNumber: '+0221771234567' }],
    ['a number too short', { phoneNumber: '+22' }],
    ['a number too long', { phoneNumber: '+2217712345678901' }],
    ['a JSON number', { phoneNumber: 42 }],
    ['an empty string', { phoneNumber: '' }],
    ['a null body', null],
    ['an array body', [{ phoneNumber: '+221771234567' }]],
    ['a bad number with an unknown field', { phoneNumber: 'x', extra: 1 }],
  ])('refuses %s with the contract’s invalid_phone_number error', async (_, body) => {
    const error = await refusal(body);
    expect(error).toBeInstanceOf(InvalidPhoneNumberError);
    expect({ code: error.code, detail: error.message, status: error.status, extra: error.extra }).toEqual({
      code: 'invalid_phone_number',
      detail: 'Enter a phone number in E.164 form, e.g. +221771234567.',
      status: 400,
      extra: {},
    });
  });

  it('refuses an unknown field next to a good number like any other DTO (invalid, with the field)', async () => {
    const error = await refusal({ phoneNumber: '+221771234567', owner: 7 });
    expect(error).toBeInstanceOf(RequestValidationError);
    expect(error.extra).toEqual({ errors: { owner: ['Unknown field "owner".'] } });
  });
});
