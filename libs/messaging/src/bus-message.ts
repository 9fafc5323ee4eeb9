/**
 * One message on the bus: a plain JSON object whose `action` names the handler
 * (`@EventPattern(action)`). No framework envelope, so non-Nest services read and write it.
 */
export interface BusMessage {
  action: string;
  [key: string]: unknown;
}

export type ParsedBusMessage = { ok: true; message: BusMessage } | { ok: false; reason: string };

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Decodes a delivered body; `reason` says why a body is not a bus message (never echoes it). */
export function parseBusMessage(content: string): ParsedBusMessage {
  let body: unknown;
  try {
    body = JSON.parse(content);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (!isJsonObject(body)) {
    return { ok: false, reason: 'body is not a JSON object' };
  }
  if (typeof body.action !== 'string' || body.action === '') {
    return { ok: false, reason: 'body has no string "action"' };
  }
  return { ok: true, message: body as BusMessage };
}

/** The exact bytes published for `body`; throws on anything that is not a JSON object. */
export function encodeBusBody(body: unknown): string {
  if (!isJsonObject(body)) {
    throw new TypeError('A bus message body must be a JSON object');
  }
  return JSON.stringify(body);
}
