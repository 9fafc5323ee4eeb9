import { isJsonObject } from './json-object';
import { MalformedMessageError } from './whatsapp.errors';
import { E164, WhatsappCommand } from './whatsapp-messages';

/**
 * Checks a command body against the seed's shape. Foreign services publish these, so nothing is
 * trusted: a wrong shape throws `MalformedMessageError` (the consumer logs it; the bus dead-letters it).
 */
export function parseWhatsappCommand(body: unknown): WhatsappCommand {
  if (!isJsonObject(body)) {
    throw new MalformedMessageError('the body is not a JSON object');
  }
  const { action, data, timestamp } = body;
  if (!isJsonObject(data)) {
    throw new MalformedMessageError('"data" is not an object');
  }
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
    throw new MalformedMessageError('"timestamp" is not a number of milliseconds');
  }
  const numberId = data.numberId;
  if (typeof numberId !== 'number' || !Number.isSafeInteger(numberId) || numberId < 1) {
    throw new MalformedMessageError('"data.numberId" is not a positive integer');
  }
  switch (action) {
    case 'validate_number':
      return { action, data: { numberId, phoneNumber: phoneNumberOf(data) }, timestamp };
    case 'regenerate_qr': {
      const workerId = data.workerId;
      if (workerId !== undefined && workerId !== null && typeof workerId !== 'string') {
        throw new MalformedMessageError('"data.workerId" is not a string');
      }
      return {
        action,
        data: { numberId, phoneNumber: phoneNumberOf(data), ...(typeof workerId === 'string' ? { workerId } : {}) },
        timestamp,
      };
    }
    case 'simulate_scan':
    case 'close_session':
      return { action, data: { numberId }, timestamp };
    default:
      throw new MalformedMessageError(`unknown action ${JSON.stringify(String(action).slice(0, 40))}`);
  }
}

function phoneNumberOf(data: Record<string, unknown>): string {
  const phoneNumber = data.phoneNumber;
  if (typeof phoneNumber !== 'string' || !E164.test(phoneNumber)) {
    throw new MalformedMessageError('"data.phoneNumber" is not an E.164 phone number');
  }
  return phoneNumber;
}
