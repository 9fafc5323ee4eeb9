import { ArgumentMetadata, Type } from '@nestjs/common';
import { RequestValidationError } from './request-errors';
import { apiValidationPipe } from './validation-pipe';
import { GrantPointsDto, PageQueryDto } from '../ledger/dto/points.dto';
import { SchedulerControlDto, StoreVintedCookiesDto } from '../vinted/dto/vinted.dto';

async function refusal(
  metatype: Type<unknown>,
  value: unknown,
  type: ArgumentMetadata['type'] = 'body',
): Promise<RequestValidationError> {
  const error: unknown = await apiValidationPipe()
    .transform(value, { type, metatype })
    .then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
  if (!(error instanceof RequestValidationError)) {
    throw new Error(`expected a RequestValidationError, got ${String(error)}`);
  }
  return error;
}

/** Issue 14 §8: one error per field, the most relevant one, in the field's own name. */
describe(RequestValidationError.name, () => {
  it('answers a missing field with DRF\'s "This field is required." only, not every check it fails', async () => {
    const error = await refusal(StoreVintedCookiesDto, {});
    expect(error.errors).toEqual({ cookies: ['This field is required.'] });
    expect(error.message).toBe('Invalid input - cookies: This field is required.');
  });

  it('answers null with DRF\'s "This field may not be null."', async () => {
    expect((await refusal(StoreVintedCookiesDto, { cookies: null })).errors).toEqual({
      cookies: ['This field may not be null.'],
    });
  });

  it('reports what a value is before its size: a type, then emptiness, then range or length', async () => {
    expect((await refusal(StoreVintedCookiesDto, { cookies: 5 })).errors).toEqual({
      cookies: ['cookies must be a string.'],
    });
    expect((await refusal(StoreVintedCookiesDto, { cookies: '' })).errors).toEqual({
      cookies: ['cookies should not be empty.'],
    });
    expect((await refusal(StoreVintedCookiesDto, { cookies: 'x'.repeat(32_769) })).errors).toEqual({
      cookies: ['cookies must be shorter than or equal to 32768 characters.'],
    });
  });

  it('answers ?limit=abc with one message that says it is not an integer', async () => {
    const error = await refusal(PageQueryDto, { limit: 'abc' }, 'query');
    expect(error.errors).toEqual({ limit: ['limit must be an integer number.'] });
    expect(error.message).toBe('Invalid input - limit must be an integer number.');
    expect((await refusal(PageQueryDto, { limit: '500' }, 'query')).errors).toEqual({
      limit: ['limit must not be greater than 200.'],
    });
  });

  it("keeps the field's own name as the client spells it, and names every refused field once", async () => {
    const error = await refusal(SchedulerControlDto, { action: 'go', intervalMinutes: 'x' });
    expect(error.errors).toEqual({
      action: ['action must be one of start, stop, restart.'],
      intervalMinutes: ['intervalMinutes must be an integer.'],
    });
    expect(error.message).toBe(
      'Invalid input - action must be one of start, stop, restart. intervalMinutes must be an integer.',
    );
    expect((await refusal(SchedulerControlDto, { action: 'start', intervalMinutes: 0 })).errors).toEqual({
      intervalMinutes: ['intervalMinutes must be at least 1.'],
    });
  });

  it('lets a check that judges the whole value answer a missing value in its own words', async () => {
    expect((await refusal(GrantPointsDto, { username: 'alice' })).errors).toEqual({
      points: ['points must be a positive integer no greater than 2147483647.'],
    });
    expect((await refusal(GrantPointsDto, { points: 5 })).errors).toEqual({ username: ['This field is required.'] });
  });

  it('names an unknown field beside the known ones', async () => {
    const error = await refusal(GrantPointsDto, { username: 'alice', points: 0, admin: true });
    expect(error.errors).toEqual({
      points: ['points must be a positive integer no greater than 2147483647.'],
      admin: ['Unknown field "admin".'],
    });
    expect(error.message).toBe(
      'Invalid input - admin: Unknown field "admin". points must be a positive integer no greater than 2147483647.',
    );
  });
});
