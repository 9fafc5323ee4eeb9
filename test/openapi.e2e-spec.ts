import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { startAuthApp } from './support/auth-app';

interface Schema {
  $ref?: string;
  type?: string;
  example?: unknown;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: unknown;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, unknown>;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { content?: Record<string, MediaType> }>;
}

interface Document {
  paths: Record<string, Record<string, Operation> & { parameters?: Parameter[] }>;
  components?: { schemas?: Record<string, Schema> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operationsOf(document: Document): Array<{ where: string; operation: Operation; shared: Parameter[] }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({
        where: `${method.toUpperCase()} ${path}`,
        operation: operation as Operation,
        shared: item.parameters ?? [],
      })),
  );
}

function resolve(document: Document, schema: Schema | undefined): Schema | undefined {
  if (schema?.$ref === undefined) {
    return schema;
  }
  return document.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')];
}

/** A schema that says what the body is: a reference, a type or a composition, not only an example. */
function describesTheBody(document: Document, schema: Schema | undefined): boolean {
  if (schema === undefined) {
    return false;
  }
  if (schema.$ref !== undefined) {
    return resolve(document, schema) !== undefined;
  }
  return ['type', 'properties', 'additionalProperties', 'allOf', 'oneOf', 'anyOf'].some((key) => key in schema);
}

/** An example of the whole body, or one for every property of its (referenced) schema. */
function hasExample(document: Document, media: MediaType): boolean {
  if (media.example !== undefined || Object.keys(media.examples ?? {}).length > 0) {
    return true;
  }
  const schema = resolve(document, media.schema);
  if (schema === undefined) {
    return false;
  }
  if (schema.example !== undefined) {
    return true;
  }
  const properties = Object.values(schema.properties ?? {});
  return properties.length > 0 && properties.every((property) => resolve(document, property)?.example !== undefined);
}

/**
 * Issue 14 §7: the OpenAPI document is what generated clients and the Swagger UI read, so beyond
 * being valid (test/api.e2e-spec.ts) it must not list a parameter twice, every answer it documents
 * has a schema (not only an example), and every request body has an example to try.
 */
describe('The OpenAPI document (/api/docs-json)', () => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let document: Document;

  beforeAll(async () => {
    ({ app, close } = await startAuthApp('embedded'));
    document = (await request(app.getHttpServer()).get('/api/docs-json').expect(200)).body as Document;
  });
  afterAll(async () => close?.());

  it('lists each parameter once per operation (a header name in any case is one header)', () => {
    const duplicates = operationsOf(document).flatMap(({ where, operation, shared }) => {
      const seen = new Set<string>();
      return [...shared, ...(operation.parameters ?? [])].flatMap((parameter) => {
        const key = `${parameter.in} ${parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name}`;
        const duplicate = seen.has(key);
        seen.add(key);
        return duplicate ? [`${where}: ${key}`] : [];
      });
    });
    expect(duplicates).toEqual([]);
  });

  it('documents Idempotency-Key once, as optional (CONTRACT §4: a retry with the same key)', () => {
    const headers = (document.paths['/api/exchange-tokens']?.post?.parameters ?? []).filter(
      (parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === 'idempotency-key',
    );
    expect(headers.map(({ name, required }) => ({ name, required: required ?? false }))).toEqual([
      { name: 'Idempotency-Key', required: false },
    ]);
  });

  it('gives every answer with a body a schema that describes it, not only an example', () => {
    const missing = operationsOf(document).flatMap(({ where, operation }) =>
      Object.entries(operation.responses ?? {})
        .filter(([status]) => status !== '204')
        .flatMap(([status, response]) => {
          const contents = Object.entries(response.content ?? {});
          if (contents.length === 0) {
            return [`${where} ${status}: no content`];
          }
          return contents
            .filter(([, media]) => !describesTheBody(document, media.schema))
            .map(([type, media]) => `${where} ${status} ${type}: ${JSON.stringify(media.schema ?? null)}`);
        }),
    );
    expect(missing).toEqual([]);
  });

  it('gives no example of an answer without a field its schema requires', () => {
    const wrong = operationsOf(document).flatMap(({ where, operation }) =>
      Object.entries(operation.responses ?? {}).flatMap(([status, response]) =>
        Object.values(response.content ?? {}).flatMap((media) => {
          const required = resolve(document, media.schema)?.required ?? [];
          const examples = [
            ...(media.example === undefined ? [] : [media.example]),
            ...Object.values(media.examples ?? {}).map((example) => (example as { value: unknown }).value),
          ];
          return examples
            .filter((example) => required.some((field) => !(field in (example as object))))
            .map((example) => `${where} ${status}: ${JSON.stringify(example)} lacks one of ${required.join(', ')}`);
        }),
      ),
    );
    expect(wrong).toEqual([]);
  });

  it('gives every request body an example', () => {
    const missing = operationsOf(document).flatMap(({ where, operation }) =>
      Object.entries(operation.requestBody?.content ?? {})
        .filter(([, media]) => !hasExample(document, media))
        .map(([type]) => `${where} ${type}`),
    );
    expect(missing).toEqual([]);
  });
});
