import { NestExpressApplication } from '@nestjs/platform-express';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createUser, login, startAuthApp } from './support/auth-app';
import {
  OpenApiDocument,
  OpenApiOperation,
  bodyOf,
  deepBodyOf,
  integerEdge,
  parameterValue,
  urlEncoded,
  withControlCharacters,
} from './support/openapi-arbitraries';
import {
  GZIP_JSON_TRANSPORT,
  JSON_TRANSPORT,
  Transport,
  bytesOf,
  describeTransport,
  transportVariation,
} from './support/request-transport';

/**
 * Fuzzing from the OpenAPI document (issue 7): every operation of /api/docs-json gets bodies,
 * params and headers generated from its schema and mutated (wrong types, huge and unicode
 * strings, nested junk, missing and extra fields, invalid JWTs). Zero 5xx; every 4xx body is one
 * of the contract's shapes; a rejected request changes nothing in the database.
 *
 * Issue 13 added the classes an independent fuzzer found 500s with, for every operation (GET
 * included: a body is read whatever the method): transport (media types, charsets and content
 * codings, with bodies encoded or not), nesting far past the depth limit, PostgreSQL integer
 * edges in path and query parameters, and control characters (U+0000 first) in every string of
 * the body, the query and the path. Each failure is counted under its operation and class.
 */
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 100);
/** Operations that would end the fuzzer's own sessions or stream forever. */
const SKIPPED = [/\/events\/?$/, /revoke-all/, /password\/change/];
/**
 * Tables written later by consumers or timers, not by the request itself (the purge of expired
 * stream tickets among them); and the credential throttle's counters, where a refused login (a
 * wrong password) is exactly what they count.
 */
const UNSTABLE_TABLES =
  /^(app_settings|sweep_runs|migrations|whatsapp_|vinted_scheduler|throttle_counters|stream_tickets)/;
/**
 * Tables a timer changes only in part: the outbox relay stamps `sent_at` on its own schedule, but
 * a refused request must still write no event, so every other column is compared.
 */
const PARTLY_STABLE_COLUMNS: Record<string, string> = {
  outbox_events: 'id, seq, aggregate_type, aggregate_id, type, subject, payload, occurred_at',
};
/** simplejwt / DRF bodies without `code`, kept for compatibility with its clients (CONTRACT §3). */
const DRF_COMPATIBLE_PATHS = /^\/api\/(token|users)(\/|$)/;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a case varies; its share of the runs is its weight out of 10. */
const CASE_CLASSES = {
  schema: 3,
  transport: 2,
  depth: 1,
  control: 2,
  integers: 2,
} as const;
type CaseClass = keyof typeof CASE_CLASSES;

interface Case {
  kind: CaseClass;
  path: string;
  query: Record<string, string | undefined>;
  body: { json?: unknown; raw?: string };
  /** Whether a body is sent: always for the transport and depth classes, whatever the method. */
  withBody: boolean;
  transport: Transport;
  authorization?: string;
  idempotencyKey?: string;
}

function isFieldErrors(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    Object.values(body).every((value) => Array.isArray(value) && value.every((message) => typeof message === 'string'))
  );
}

/** Why a 4xx body breaks the contract, or undefined when it is fine. */
function badErrorBody(path: string, status: number, body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'not a JSON object';
  }
  const { detail, code } = body as { detail?: unknown; code?: unknown };
  if (typeof detail === 'string' && typeof code === 'string') {
    return undefined;
  }
  if (status === 401 || status === 403) {
    // Swagger promises a `code` on every 401 and 403, simplejwt's and DRF's included (issue 13).
    return 'a 401/403 without `detail` and `code`';
  }
  const drf = DRF_COMPATIBLE_PATHS.test(path) || status === 405;
  if (drf && (typeof detail === 'string' || isFieldErrors(body))) {
    return undefined;
  }
  return 'has no `detail` and `code`';
}

describe('Fuzzing every operation of the OpenAPI document', () => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let document: OpenApiDocument;
  let digestSql: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    ({ app, close } = await startAuthApp('embedded', {
      VINTED_AUTO_REFRESH_ENABLED: 'false',
      VINTED_CREDENTIALS_SECRET: 'fuzz-secret-0123456789-0123456789-0123456789',
      VINTED_BASE_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'silent',
    }));
    for (const role of ['customer', 'vendor', 'admin'] as const) {
      await createUser(app, `fuzz-${role}`, 'correct-horse', role);
      tokens[role] = (await login(app, `fuzz-${role}`)).access;
    }
    const now = Math.floor(Date.now() / 1000);
    const claims = { token_type: 'access', exp: now + 600, iat: now, jti: 'f'.repeat(32), user_id: 1, role: 'admin' };
    tokens.wrongKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(Buffer.from('not the signing key of this server'));
    tokens.expired = await new SignJWT({ ...claims, exp: now - 10 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(Buffer.from('x'.repeat(32)));
    tokens.none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    document = (await request(app.getHttpServer()).get('/api/docs-json').expect(200)).body as OpenApiDocument;

    const tables = await app
      .get(DataSource)
      .query<{ name: string }[]>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
      );
    digestSql = tables
      .map(({ name }) => name)
      .filter((name) => !UNSTABLE_TABLES.test(name))
      .map(
        (name) =>
          `SELECT '${name}' AS t, count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${
            name in PARTLY_STABLE_COLUMNS ? `(SELECT ${PARTLY_STABLE_COLUMNS[name]} FROM "${name}")` : `"${name}"`
          } x`,
      )
      .join(' UNION ALL ');
  });
  afterAll(async () => close?.());

  const digest = async () => JSON.stringify(await app.get(DataSource).query(digestSql));

  function operations(): Array<{ method: Method; template: string; operation: OpenApiOperation }> {
    return Object.entries(document.paths).flatMap(([template, methods]) =>
      Object.entries(methods)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .filter(() => !SKIPPED.some((pattern) => pattern.test(template)))
        .map(([method, operation]) => ({ method: method as Method, template, operation })),
    );
  }

  function caseOf(method: Method, template: string, operation: OpenApiOperation): fc.Arbitrary<Case> {
    const params = operation.parameters ?? [];
    const named = (where: 'path' | 'query', value: fc.Arbitrary<string>) =>
      Object.fromEntries(params.filter((p) => p.in === where).map((p) => [p.name, value]));
    const anyAuthorization = fc.option(
      fc.oneof(
        fc
          .constantFrom('customer', 'vendor', 'admin', 'admin', 'wrongKey', 'expired', 'none')
          .map((name) => `Bearer ${tokens[name]}`),
        fc.constantFrom('Bearer', 'Basic YWxpY2U6cHc=', 'Bearer a.b.c', 'Bearer  x y', 'Token abc'),
        fc.string({ maxLength: 60 }).map((garbage) => `Bearer ${garbage}`),
      ),
      { nil: undefined },
    );
    // Classes that vary the request itself send it as one of the roles, so that it gets past the guard
    // (as an admin half of the time: admins pass every role check).
    const roleAuthorization = fc
      .constantFrom('customer', 'vendor', 'admin', 'admin')
      .map((role) => `Bearer ${tokens[role]}`);
    const hasBody = method !== 'get' && method !== 'delete';

    const build = (
      kind: CaseClass,
      parts: {
        pathValue: fc.Arbitrary<string>;
        queryValue: fc.Arbitrary<string>;
        body: fc.Arbitrary<{ json?: unknown; raw?: string }>;
        transport?: fc.Arbitrary<Transport>;
        withBody?: boolean;
        authorization?: fc.Arbitrary<string | undefined>;
      },
    ): fc.Arbitrary<Case> =>
      fc.record({
        kind: fc.constant(kind),
        path: fc
          .record(named('path', parts.pathValue))
          .map((values) => template.replace(/\{(\w+)\}/g, (_, name: string) => urlEncoded(values[name] ?? 'x'))),
        query: fc.record(named('query', parts.queryValue), { requiredKeys: [] }),
        body: parts.body,
        withBody: fc.constant(parts.withBody ?? hasBody),
        transport: parts.transport ?? fc.constant(JSON_TRANSPORT),
        authorization: parts.authorization ?? roleAuthorization,
        idempotencyKey: fc.option(fc.string({ minLength: 0, maxLength: 300 }), { nil: undefined }),
      });

    const classes: Record<CaseClass, fc.Arbitrary<Case>> = {
      // Values from the schema, mutated, with every kind of credential.
      schema: build('schema', {
        pathValue: parameterValue,
        queryValue: parameterValue,
        body: bodyOf(operation, document),
        authorization: anyAuthorization,
      }),
      // A fitting body, sent as another media type, charset or content coding.
      transport: build('transport', {
        pathValue: parameterValue,
        queryValue: parameterValue,
        body: bodyOf(operation, document, 'fitting'),
        transport: transportVariation,
        withBody: true,
      }),
      // Arrays and objects nested far past the limit, plain or gzipped.
      depth: build('depth', {
        pathValue: parameterValue,
        queryValue: parameterValue,
        body: deepBodyOf(operation, document),
        transport: fc.constantFrom(JSON_TRANSPORT, GZIP_JSON_TRANSPORT),
        withBody: true,
      }),
      // Control characters in every string: body fields (keys of the schema, enum values too), query and path.
      control: build('control', {
        pathValue: withControlCharacters(parameterValue),
        queryValue: withControlCharacters(parameterValue),
        body: bodyOf(operation, document, 'controlled'),
      }),
      // PostgreSQL integer edges in path and query parameters, with a fitting body.
      integers: build('integers', {
        pathValue: integerEdge,
        queryValue: integerEdge,
        body: bodyOf(operation, document, 'fitting'),
      }),
    };
    return fc.oneof(
      ...Object.entries(CASE_CLASSES).map(([kind, weight]) => ({ weight, arbitrary: classes[kind as CaseClass] })),
    );
  }

  it('answers thousands of generated requests without a 5xx, with contract error bodies, changing nothing when it refuses', async () => {
    // Every failing request is counted under its kind, operation and class, with its first example.
    const failures = new Map<string, { count: number; example: string }>();
    const fail = (key: string, example: string) => {
      const known = failures.get(key);
      failures.set(key, { count: (known?.count ?? 0) + 1, example: known?.example ?? example });
    };
    let sent = 0;
    for (const { method, template, operation } of operations()) {
      await fc
        .assert(
          fc.asyncProperty(caseOf(method, template, operation), async (input) => {
            const before = await digest();
            let call = request(app.getHttpServer())[method](input.path).query(input.query);
            if (input.authorization !== undefined) {
              call = call.set('Authorization', input.authorization.replace(/[^\t\x20-\x7e]/g, '?'));
            }
            if (input.idempotencyKey !== undefined) {
              call = call.set('Idempotency-Key', input.idempotencyKey.replace(/[^\t\x20-\x7e]/g, '?'));
            }
            if (input.withBody) {
              const { contentType, contentEncoding } = input.transport;
              if (contentType !== undefined) {
                call = call.set('Content-Type', contentType);
              }
              if (contentEncoding !== undefined) {
                call = call.set('Content-Encoding', contentEncoding);
              }
              // Bytes as they are: superagent would JSON-encode a Buffer sent with a JSON type.
              call = call
                .serialize((bytes: unknown) => bytes as string)
                .send(bytesOf(input.body, input.transport) as unknown as string);
            }
            const response = await call;
            sent++;
            const transport = input.withBody ? ` [${describeTransport(input.transport)}]` : '';
            const bodyText = (input.body.raw ?? JSON.stringify(input.body.json) ?? '').slice(0, 120);
            const where = `${method.toUpperCase()} ${input.path.slice(0, 120)}${transport} ${bodyText} → ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`;
            const operationKey = `${method.toUpperCase()} ${template} (${input.kind})`;
            if (response.status >= 500) {
              fail(`5xx on ${operationKey}`, where);
            } else if (response.status >= 400) {
              const problem = badErrorBody(input.path, response.status, response.body);
              if (problem !== undefined) {
                fail(`body ${problem} on ${operationKey}`, where);
              } else if ((await digest()) !== before) {
                fail(`a refused request changed the database on ${operationKey}`, where);
              }
            }
            return true;
          }),
          { numRuns: RUNS_PER_OPERATION },
        )
        .catch((error: Error) => {
          // Failures are counted above; a throw (of the test's own code) is reported here.
          fail(`${method.toUpperCase()} ${template} threw`, error.message.split('\n').slice(0, 6).join(' '));
        });
    }
    const report = [...failures].map(([key, { count, example }]) => `${count}× ${key}: ${example}`);
    expect(report).toEqual([]);
    expect(sent).toBe(operations().length * RUNS_PER_OPERATION);
  }, 600_000);
});
