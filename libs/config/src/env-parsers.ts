import { parseDuration } from '@app/common';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min, ValidationOptions, registerDecorator } from 'class-validator';
import { validateCronExpression } from 'cron';

// Parsers turn the raw string into the field's type; a malformed value becomes NaN (numbers)
// or stays a string (booleans) so that the validators below reject it with a clear message.

export const AsInteger = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? (/^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN) : value,
  );

/** An integer setting from `min` to `max`, each refusal in the one wording of the configuration errors. */
export function IntegerSetting(min: number, max: number): PropertyDecorator {
  const decorators = [
    AsInteger(),
    IsInt({ message: 'is not an integer' }),
    Min(min, { message: `is below ${min}` }),
    Max(max, { message: `is above ${max}` }),
  ];
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}

export const AsBoolean = () =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') {
      return value;
    }
    const normalized = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(normalized)) {
      return true;
    }
    if (['false', '0', 'no', 'off'].includes(normalized)) {
      return false;
    }
    return value;
  });

/** `90s`, `15m`, `2h`, `7d` → milliseconds. */
export const AsDuration = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? (parseDuration(value) ?? Number.NaN) : value,
  );

export function IsCronExpression(options?: ValidationOptions): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isCronExpression',
      target: target.constructor,
      propertyName: String(property),
      options: { message: 'is not a valid cron expression', ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && value.trim().split(/\s+/).length === 6 && validateCronExpression(value).valid,
      },
    });
}

/** A URL whose scheme is one of `schemes`, parsed with WHATWG URL (accepts `localhost`, IPs, credentials). */
export function IsUrlWithScheme(schemes: string[], options?: ValidationOptions): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isUrlWithScheme',
      target: target.constructor,
      propertyName: String(property),
      options: { message: `is not a ${schemes.join('/')} URL`, ...options },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') {
            return false;
          }
          try {
            const url = new URL(value);
            return schemes.includes(url.protocol.replace(/:$/, '')) && url.hostname !== '';
          } catch {
            return false;
          }
        },
      },
    });
}
