import pino from 'pino';

export const REDACTED = '[redacted]';

/** Shorter parameter values are not searched for in an error's text: too short to be a secret. */
const MIN_SECRET_LENGTH = 4;

/**
 * PostgreSQL quotes values in an error's `detail`: `Key (username)=(alice) already exists.`,
 * `Failing row contains (…every column…).` — a row's other columns (a password hash, a sealed
 * session) as much as the parameters.
 */
const QUOTED_KEY_VALUES = /=\((?:[^()]|\([^()]*\))*\)/g;
const FAILING_ROW = /Failing row contains \([\s\S]*\)/g;

/** The parameters of a failed query (TypeORM's `QueryFailedError.parameters`), anywhere in the cause chain. */
function queryParameters(error: unknown): unknown[] {
  const found: unknown[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const { parameters } = current as { parameters?: unknown };
    if (Array.isArray(parameters)) {
      found.push(...(parameters as unknown[]));
    }
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

/** What a log keeps of query parameters: each one's type, and its length when it has one. */
export function parameterShapes(parameters: unknown[]): string[] {
  return parameters.map((value) => {
    if (value === null || value === undefined) {
      return 'null';
    }
    if (typeof value === 'string') {
      return `string(${value.length})`;
    }
    if (Buffer.isBuffer(value)) {
      return `bytes(${value.length})`;
    }
    if (Array.isArray(value)) {
      return `array(${value.length})`;
    }
    return value instanceof Date ? 'date' : typeof value;
  });
}

/** The text values of `parameters` that must not appear in a log, longest first. */
function secretsOf(parameters: unknown[]): string[] {
  const texts = parameters.flatMap((value) => {
    if (typeof value === 'string') {
      return [value];
    }
    if (Array.isArray(value)) {
      return value.filter((item): item is string => typeof item === 'string');
    }
    return typeof value === 'object' && value !== null && !(value instanceof Date) && !Buffer.isBuffer(value)
      ? [JSON.stringify(value)]
      : [];
  });
  return [...new Set(texts.filter((text) => text.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
}

function redactText(text: string, secrets: string[]): string {
  let redacted = text;
  for (const secret of secrets) {
    redacted = redacted.split(secret).join(REDACTED);
  }
  return redacted
    .replace(FAILING_ROW, `Failing row contains (${REDACTED})`)
    .replace(QUOTED_KEY_VALUES, `=(${REDACTED})`);
}

/**
 * The message of `error` fit for a log: a failed query's parameter values (PostgreSQL quotes
 * some in its messages: `invalid input syntax for type integer: "…"`) and the values PostgreSQL
 * quotes from rows and keys are replaced by `[redacted]`.
 */
export function redactedMessage(error: Error): string {
  return redactText(error.message, secretsOf(queryParameters(error)));
}

/** How deep a serialized error's nested objects are searched and cleaned. */
const MAX_DEPTH = 6;

/** Every `parameters` array in a serialized error and the objects nested in it. */
function nestedParameters(value: unknown, depth = 0): unknown[] {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) {
    return [];
  }
  return Object.entries(value).flatMap(([key, field]) =>
    key === 'parameters' && Array.isArray(field) ? (field as unknown[]) : nestedParameters(field, depth + 1),
  );
}

function cleaned(value: unknown, secrets: string[], depth: number): unknown {
  if (typeof value === 'string') {
    return redactText(value, secrets);
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (depth > MAX_DEPTH) {
    return REDACTED;
  }
  if (Array.isArray(value)) {
    return value.map((item) => cleaned(item, secrets, depth + 1));
  }
  const safe: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === 'driverError') {
      continue;
    }
    if (key === 'parameters' && Array.isArray(field)) {
      safe[key] = parameterShapes(field as unknown[]);
    } else {
      // The SQL text is the code's (values travel as parameters), and it is what finds the bug.
      safe[key] = key === 'query' && typeof field === 'string' ? field : cleaned(field, secrets, depth + 1);
    }
  }
  return safe;
}

/**
 * pino's `err` serializer, made safe for errors that carry data: a failed query's `parameters`
 * are logged as their types and lengths (`["string(12)","number"]`), never as values, and the
 * values are redacted wherever else they appear (message, stack, PostgreSQL's `detail`, `where`,
 * `hint`, nested errors), as are the row and key values PostgreSQL quotes in `detail`. TypeORM
 * copies the driver's error fields onto its `QueryFailedError`: its `driverError` (the same
 * fields again) is dropped.
 */
export function errorSerializer(error: unknown): unknown {
  const serialized: unknown = pino.stdSerializers.err(error as Error);
  if (typeof serialized !== 'object' || serialized === null) {
    return serialized;
  }
  const secrets = secretsOf([...queryParameters(error), ...nestedParameters(serialized)]);
  return cleaned(serialized, secrets, 0);
}
