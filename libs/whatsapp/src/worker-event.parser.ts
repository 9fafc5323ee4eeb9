import { isJsonObject } from './json-object';
import { MalformedMessageError } from './whatsapp.errors';
import { HeartbeatEvent, WorkerEvent } from './whatsapp-messages';

/**
 * Checks an event body from `whatsapp.worker.events` (any worker, possibly not ours) before it
 * touches the database; a wrong shape throws and the bus dead-letters the message.
 */
export function parseWorkerEvent(body: unknown): WorkerEvent {
  if (!isJsonObject(body)) {
    throw new MalformedMessageError('the event is not a JSON object');
  }
  const base = {
    numberId: positiveInteger(body, 'numberId'),
    sessionId: text(body, 'sessionId'),
    workerId: text(body, 'workerId'),
    timestamp: positiveInteger(body, 'timestamp'),
  };
  switch (body.action) {
    case 'qr_generated': {
      const qrCode = text(body, 'qrCode');
      if (!qrCode.startsWith('data:image/png;base64,')) {
        throw new MalformedMessageError('"qrCode" is not a PNG data URL');
      }
      return { action: 'qr_generated', ...base, qrCode };
    }
    case 'qr_regenerating':
      return {
        action: 'qr_regenerating',
        ...base,
        attempt: positiveInteger(body, 'attempt'),
        maxAttempts: positiveInteger(body, 'maxAttempts'),
        message: text(body, 'message'),
      };
    case 'connected':
      return { action: 'connected', ...base, ...(typeof body.message === 'string' ? { message: body.message } : {}) };
    case 'error':
      return { action: 'error', ...base, error: text(body, 'error') };
    default:
      throw new MalformedMessageError('unknown event action');
  }
}

export function parseHeartbeat(body: unknown): HeartbeatEvent {
  if (!isJsonObject(body) || body.action !== 'heartbeat') {
    throw new MalformedMessageError('not a heartbeat');
  }
  const sessions = body.sessions;
  return {
    action: 'heartbeat',
    workerId: text(body, 'workerId'),
    driver: text(body, 'driver'),
    sessions: typeof sessions === 'number' && Number.isSafeInteger(sessions) && sessions >= 0 ? sessions : 0,
    timestamp: positiveInteger(body, 'timestamp'),
  };
}

function positiveInteger(body: Record<string, unknown>, field: string): number {
  const value = body[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new MalformedMessageError(`"${field}" is not a positive integer`);
  }
  return value;
}

function text(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new MalformedMessageError(`"${field}" is not a non-empty string`);
  }
  return value.slice(0, 200_000);
}
