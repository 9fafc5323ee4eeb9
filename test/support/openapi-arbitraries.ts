import fc from 'fast-check';

/** The parts of an OpenAPI 3 document the fuzzer reads. */
export interface OpenApiSchema {
  $ref?: string;
  type?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  enum?: unknown[];
  allOf?: OpenApiSchema[];
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema?: OpenApiSchema;
}

export interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: OpenApiSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

/** Strings that break naive code: empty, huge, unicode, NUL, SQL and path metacharacters, numbers as text. */
const nastyString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '2.5',
    '1e309',
    'NaN',
    'null',
    'true',
    '[]',
    '{}',
    "' OR 1=1 --",
    '../../etc/passwd',
    '%00',
    '\u0000',
    '\uD800',
    '😀'.repeat(50),
    'ﷺ',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.nat({ max: 200_000 }).map((length) => 'x'.repeat(length)),
);

/** Values of every JSON type, nested, including numbers out of every range. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(0, -5, 2.5, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, null, true, false),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.jsonValue({ maxDepth: 4 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
);

function resolve(schema: OpenApiSchema | undefined, document: OpenApiDocument): OpenApiSchema | undefined {
  if (schema?.$ref !== undefined) {
    return resolve(document.components?.schemas?.[schema.$ref.split('/').pop() ?? ''], document);
  }
  if (schema?.allOf !== undefined) {
    const parts = schema.allOf.map((part) => resolve(part, document) ?? {});
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})) as Record<string, OpenApiSchema>,
      required: parts.flatMap((part) => part.required ?? []),
    };
  }
  return schema;
}

/** A value that usually fits the schema, often does not. */
export function valueOf(
  schema: OpenApiSchema | undefined,
  document: OpenApiDocument,
  depth = 0,
): fc.Arbitrary<unknown> {
  const resolved = resolve(schema, document);
  if (resolved === undefined || depth > 4) {
    return junk;
  }
  let fitting: fc.Arbitrary<unknown>;
  if (resolved.enum !== undefined) {
    fitting = fc.constantFrom(...resolved.enum);
  } else if (resolved.type === 'object' || resolved.properties !== undefined) {
    fitting = objectOf(resolved, document, depth);
  } else if (resolved.type === 'array') {
    fitting = fc.array(valueOf(resolved.items, document, depth + 1), { maxLength: 4 });
  } else if (resolved.type === 'integer' || resolved.type === 'number') {
    fitting = fc.oneof(fc.integer({ min: -10, max: 1_000 }), fc.constantFrom(0, 1, 2 ** 31, 2.5, -1));
  } else if (resolved.type === 'boolean') {
    fitting = fc.boolean();
  } else {
    fitting = nastyString;
  }
  return fc.oneof({ arbitrary: fitting, weight: 3 }, { arbitrary: junk, weight: 1 });
}

/** The schema's properties, some missing, plus some that are not in it. */
function objectOf(
  schema: OpenApiSchema,
  document: OpenApiDocument,
  depth: number,
): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([name, property]) => [name, valueOf(property, document, depth + 1)]),
  );
  const known = fc.record(properties, { requiredKeys: [] });
  const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), junk, { maxKeys: 2 });
  return fc.tuple(known, fc.oneof(fc.constant({}), extra)).map(([fields, more]) => ({ ...more, ...fields }));
}

/** A request body for the operation: a fitting-ish JSON value, or raw text that is not JSON at all. */
export function bodyOf(
  operation: OpenApiOperation,
  document: OpenApiDocument,
): fc.Arbitrary<{ json?: unknown; raw?: string }> {
  const schema = operation.requestBody?.content?.['application/json']?.schema;
  return fc.oneof(
    { arbitrary: valueOf(schema ?? { type: 'object' }, document).map((json) => ({ json })), weight: 5 },
    {
      arbitrary: fc.constantFrom('{"a":', 'not json', '[1,2', '{"points": 1e99999}', '\u0000').map((raw) => ({ raw })),
      weight: 1,
    },
  );
}

/** Values for path and query parameters: ids that exist, ids that do not, and junk. */
export const parameterValue = fc.oneof(
  fc.constantFrom('1', '2', '0', '-1', '999999999', '99999999999999999999', '1.5', 'abc', '%20', '..', "'", 'null'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
  fc.nat({ max: 5_000 }).map((length) => 'y'.repeat(length + 1)),
);
