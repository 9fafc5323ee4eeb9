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

/**
 * Characters that text columns, logs and parsers treat specially: U+0000 (PostgreSQL text cannot
 * hold it) twice as often as any other, C0 and C1 controls, DEL, line and paragraph separators,
 * a BOM, noncharacters and lone surrogates.
 */
const CONTROL_CHARACTERS = [
  '\u0000',
  '\u0000',
  '\u0001',
  '\u0008',
  '\t',
  '\n',
  '\r',
  '\u000b',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0080',
  '\u0085',
  '\u009f',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\uffff',
  '\ud800',
  '\udfff',
];

/** `text` with control characters put in at random places; half of the time one is U+0000. */
export function withControlCharacters(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      text,
      fc.boolean(),
      fc.array(fc.tuple(fc.constantFrom(...CONTROL_CHARACTERS), fc.nat()), { minLength: 1, maxLength: 3 }),
    )
    .map(([base, nul, inserts]) =>
      [...inserts, ...(nul ? [['\u0000', base.length] as [string, number]] : [])].reduce(
        (value, [character, at]) =>
          value.slice(0, at % (value.length + 1)) + character + value.slice(at % (value.length + 1)),
        base,
      ),
    );
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
  withControlCharacters(fc.string({ maxLength: 20 })),
);

/** Integers at the edges of PostgreSQL's int4 and int8, of JavaScript's safe range, and past them. */
const EDGE_NUMBERS = [
  0,
  -0,
  -1,
  2.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  -(2 ** 63),
  1e308,
  -1e308,
  5e-324,
];

/** Values of every JSON type, nested, including numbers out of every range. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(...EDGE_NUMBERS, null, true, false),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.jsonValue({ maxDepth: 4 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
);

/**
 * How values are generated from a schema. `mutated`: usually fitting, often not (junk of every
 * type, missing and unknown fields, nasty strings). `fitting`: every field present with a value
 * of its type, so that what is varied elsewhere (the transport) is what a refusal is about.
 * `controlled`: fitting, but every string (enum values included) holds control characters.
 */
export type Generation = 'mutated' | 'fitting' | 'controlled';

const TEXT: Record<Generation, fc.Arbitrary<string>> = {
  mutated: nastyString,
  fitting: fc.string({ minLength: 1, maxLength: 20 }),
  controlled: withControlCharacters(fc.string({ maxLength: 20 })),
};

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

/** A value for the schema, generated as `generation` says. */
export function valueOf(
  schema: OpenApiSchema | undefined,
  document: OpenApiDocument,
  generation: Generation = 'mutated',
  depth = 0,
): fc.Arbitrary<unknown> {
  const resolved = resolve(schema, document);
  if (resolved === undefined || depth > 4) {
    return generation === 'mutated' ? junk : TEXT[generation];
  }
  let fitting: fc.Arbitrary<unknown>;
  if (resolved.enum !== undefined) {
    const values = fc.constantFrom(...resolved.enum);
    fitting = generation === 'controlled' ? withControlCharacters(values.map((value) => String(value))) : values;
  } else if (resolved.type === 'object' || resolved.properties !== undefined) {
    fitting = objectOf(resolved, document, generation, depth);
  } else if (resolved.type === 'array') {
    fitting = fc.array(valueOf(resolved.items, document, generation, depth + 1), { maxLength: 4 });
  } else if (resolved.type === 'integer' || resolved.type === 'number') {
    fitting =
      generation === 'mutated'
        ? fc.oneof(fc.integer({ min: -10, max: 1_000 }), fc.constantFrom(...EDGE_NUMBERS))
        : fc.integer({ min: 1, max: 1_000 });
  } else if (resolved.type === 'boolean') {
    fitting = fc.boolean();
  } else {
    fitting = TEXT[generation];
  }
  return generation === 'mutated'
    ? fc.oneof({ arbitrary: fitting, weight: 3 }, { arbitrary: junk, weight: 1 })
    : fitting;
}

/** The schema's properties: when mutated, some missing, plus some that are not in it. */
function objectOf(
  schema: OpenApiSchema,
  document: OpenApiDocument,
  generation: Generation,
  depth: number,
): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([name, property]) => [
      name,
      valueOf(property, document, generation, depth + 1),
    ]),
  );
  if (generation !== 'mutated') {
    return fc.record(properties);
  }
  const known = fc.record(properties, { requiredKeys: [] });
  const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), junk, { maxKeys: 2 });
  return fc.tuple(known, fc.oneof(fc.constant({}), extra)).map(([fields, more]) => ({ ...more, ...fields }));
}

/** The JSON schema of the operation's body (an object when it declares none). */
function bodySchema(operation: OpenApiOperation): OpenApiSchema {
  return operation.requestBody?.content?.['application/json']?.schema ?? { type: 'object' };
}

/** A request body for the operation: a value generated as `generation` says, or raw text that is not JSON at all. */
export function bodyOf(
  operation: OpenApiOperation,
  document: OpenApiDocument,
  generation: Generation = 'mutated',
): fc.Arbitrary<{ json?: unknown; raw?: string }> {
  const value = valueOf(bodySchema(operation), document, generation).map((json) => ({ json }));
  if (generation !== 'mutated') {
    return value;
  }
  return fc.oneof(
    { arbitrary: value, weight: 5 },
    {
      arbitrary: fc.constantFrom('{"a":', 'not json', '[1,2', '{"points": 1e99999}', '\u0000').map((raw) => ({ raw })),
      weight: 1,
    },
  );
}

/** Openers of a nesting level and the closers that end them, JSON text either way. */
const NESTINGS: Array<[open: string, close: string]> = [
  ['[', ']'],
  ['{"a":', '}'],
  ['[{"a":', '}]'],
  ['{"a":[', ']}'],
];

/**
 * JSON nested past the API's limit (32 levels), up to 45,000 levels (about 90 KB, the size that
 * overflowed the validation pipe's stack), as the whole body or as one field of a fitting body;
 * sometimes just under the limit, which must get through to validation.
 */
export function deepBodyOf(operation: OpenApiOperation, document: OpenApiDocument): fc.Arbitrary<{ raw: string }> {
  const fields = Object.keys(resolve(bodySchema(operation), document)?.properties ?? {});
  return fc
    .record({
      levels: fc.oneof(
        { arbitrary: fc.integer({ min: 33, max: 45_000 }), weight: 4 },
        { arbitrary: fc.integer({ min: 1, max: 32 }), weight: 1 },
      ),
      nesting: fc.constantFrom(...NESTINGS),
      field: fc.option(fc.constantFrom('x', ...fields), { nil: undefined }),
    })
    .map(({ levels, nesting: [open, close], field }) => {
      // Cut to stay under the 100 KB body limit (a 413 is fine too, but teaches nothing here).
      const count = Math.min(levels, Math.floor(90_000 / (open.length + close.length)));
      const deep = `${open.repeat(count)}1${close.repeat(count)}`;
      return { raw: field === undefined ? deep : `{${JSON.stringify(field)}:${deep}}` };
    });
}

/** Ids that exist, ids that do not, and junk. */
const ids = fc.constantFrom(
  '1',
  '2',
  '0',
  '-1',
  '999999999',
  '99999999999999999999',
  '1.5',
  'abc',
  '%20',
  '..',
  "'",
  'null',
);

/**
 * Around PostgreSQL's `integer` (int4) and beyond: just past its edges most often (ten digits, as
 * a naive `\d{1,10}` check lets through), its edges, int8 and JavaScript's safe-integer edges,
 * and numbers written as no decimal id is (exponent, hex, sign, padding, a decimal point, other
 * scripts' digits).
 */
export const integerEdge = fc.oneof(
  fc.constantFrom('2147483648', '4294967296', '-2147483649'),
  fc.integer({ min: 2 ** 31, max: 9_999_999_999 }).map(String),
  fc.constantFrom(
    '2147483647',
    '-2147483648',
    '4294967295',
    '9007199254740991',
    '9007199254740993',
    '9223372036854775807',
    '9223372036854775808',
    '99999999999999999999',
    '1'.repeat(400),
  ),
  fc.constantFrom('1e3', '1E3', '0x10', '07', '00000000001', '+1', ' 1', '1 ', '1.0', '-0', 'NaN', 'Infinity', '١٢'),
);

/** Values for path and query parameters: ids that exist, ids that do not, integer edges, and junk. */
export const parameterValue = fc.oneof(
  ids,
  integerEdge,
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
  fc.nat({ max: 5_000 }).map((length) => 'y'.repeat(length + 1)),
  withControlCharacters(ids),
);

/** A path segment or query value as a URL carries it; lone surrogates (which no URL can) become U+FFFD. */
export function urlEncoded(value: string): string {
  return encodeURIComponent(
    value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );
}
