/** What the AsyncAPI document is built from: JSON Schemas (draft 07, AsyncAPI's default format) and examples. */

export type JsonSchema = Record<string, unknown>;

/** A message of the document: its JSON Schema and one example that the schema accepts. */
export interface MessageSpec {
  name: string;
  title: string;
  summary: string;
  payload: JsonSchema;
  example: Record<string, unknown>;
}

export const positiveInteger = (description: string): JsonSchema => ({
  type: 'integer',
  minimum: 1,
  maximum: Number.MAX_SAFE_INTEGER,
  description,
});
export const text = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description });

export function object(required: Record<string, JsonSchema>, optional: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    type: 'object',
    required: Object.keys(required),
    properties: { ...required, ...optional },
    additionalProperties: false,
  };
}
