/* eslint-disable @typescript-eslint/no-explicit-any -- walks the untyped JSON of an OpenAPI document */
// Fuzzes every operation of an OpenAPI document against a Fastify app: bodies, path parameters,
// query strings and headers generated from the operation's schemas, mutated with hand-picked
// nasties, plus raw garbage. The document drives it, so a new endpoint is fuzzed as soon as it
// is served. Used by the fuzz tests; FUZZ_RUNS there raises the count.
import fc from "fast-check";
import type { FastifyInstance, InjectOptions } from "fastify";

type JsonSchema = Record<string, any>;
type Operation = { method: string; path: string; operation: any };

/** Values that have broken JSON APIs before: precision, sign, encodings, depth, prototype keys. */
export const nastyValues: unknown[] = [
  null, true, false, 0, -0, -1, 1.5, -250000, 0.1, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER, 9.999999999999999e22, "", " ", "0", "-0", "00012", "1e5", "0x10", " 12", "12 ", "+5", "١٢٣",
  "9".repeat(400), "-9223372036854775809", "9223372036854775808", "NaN", "Infinity", "null", "undefined", "true",
  "\u0000", "\ud800", "🙂👩‍👩‍👧", "Ω≈ç√∫", "𝕏".repeat(50), "<script>alert(1)</script>", "'; drop table deposits; --",
  "../../etc/passwd", "%00", "%", "${jndi:ldap://x}", "a".repeat(10_000), [], {}, [[[[[[[[[[]]]]]]]]]],
  { __proto__: { polluted: true } }, { constructor: { prototype: { polluted: true } } }, { toString: 1, valueOf: "x" },
  deepNest(200), Array.from({ length: 1000 }, (_, i) => i),
];

function deepNest(depth: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { nested: value };
  return value;
}

const nasty = fc.constantFrom(...nastyValues);
const junk = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: nasty },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 50 }) },
);

function resolve(document: JsonSchema, schema: JsonSchema | undefined): JsonSchema {
  let current = schema ?? {};
  for (let i = 0; current.$ref && i < 20; i++) {
    current = current.$ref
      .replace(/^#\//, "")
      .split("/")
      .reduce((node: any, part: string) => node?.[part.replace(/~1/g, "/").replace(/~0/g, "~")], document) ?? {};
  }
  return current;
}

/** Mostly-valid values for a JSON schema (the subset zod-openapi emits), with junk mixed in. */
export function valueFor(document: JsonSchema, raw: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(document, raw);
  if (depth > 6) return junk;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s: JsonSchema) => valueFor(document, s, depth + 1)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => valueFor(document, { ...schema, type }, depth)));
  switch (types[0]) {
    case "object": {
      const properties: Record<string, JsonSchema> = schema.properties ?? {};
      const required = new Set<string>(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) record[name] = valueFor(document, property, depth + 1);
      const requiredKeys = Object.keys(properties).filter((name) => required.has(name));
      const known = fc.record(record, { requiredKeys });
      const extra = fc.dictionary(fc.string({ maxLength: 12 }), junk, { maxKeys: 3 });
      return fc.tuple(known, extra, fc.boolean()).map(([k, e, withExtra]) => (withExtra ? { ...e, ...k } : k));
    }
    case "array":
      return fc.array(valueFor(document, schema.items, depth + 1), { maxLength: 5 });
    case "string":
      return fc.oneof(
        fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 200), unit: "grapheme" }),
        fc.constantFrom("user_buyer1", "KES", "USD", "kes", "250000", "MPESA-12345", "2026-01-01T00:00:00Z"),
      );
    case "integer":
      return fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(Number));
    case "number":
      return fc.oneof(fc.integer({ min: -1, max: 10_000_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return junk;
  }
}

/** Replaces one field (at any depth) with a nasty or junk value. */
function mutate(value: unknown): fc.Arbitrary<unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return fc.oneof(nasty, junk);
  const keys = Object.keys(value);
  if (!keys.length) return fc.oneof(nasty, junk);
  return fc.tuple(fc.constantFrom(...keys), fc.oneof(nasty, junk)).map(([key, replacement]) => ({ ...value, [key]: replacement }));
}

const rawBodies = fc.constantFrom(
  "{", "[", '{"a":', '{"amount": 1e999999}', '{"amount": 123456789012345678901234567890}', "\ufeff{}", "nul", "''",
  '{"a":1,"a":2}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', "\u0000", "{}".repeat(5000), "[".repeat(5000),
);

const contentTypes = fc.constantFrom(
  "application/json", "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain",
  "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/json; charset=latin1",
  "", "*/*", "application/vnd.api+json",
);

const headerValue = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
  fc.constantFrom("Bearer ", "Bearer x.y.z", "Basic Zm9vOmJhcg==", "a".repeat(300), "better-auth.session_token=abc; x=y"),
);

const pathSegment = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30, unit: "grapheme" }).map(encodeURIComponent),
  fc.constantFrom("%", "%ZZ", "%00", "..", ".", "%2F", "a%2Fb", "9".repeat(300), "tr_1", "null", "-1", "%F0%9F%99%82"),
);

const queryValue = fc.oneof(
  fc.string({ maxLength: 30, unit: "grapheme" }).map(encodeURIComponent),
  fc.constantFrom("%", "%ZZ", "", "user_prod7", "1e400", "-1", "0", "abc", "%00"),
);

/** One random request for `operation`: mostly near-valid, sometimes garbage. */
export function requestFor(document: JsonSchema, { method, path, operation }: Operation): fc.Arbitrary<InjectOptions> {
  const parameters: JsonSchema[] = (operation.parameters ?? []).map((p: JsonSchema) => resolve(document, p));
  const pathParams = parameters.filter((p) => p.in === "path");
  const queryParams = parameters.filter((p) => p.in === "query");
  const bodySchema = operation.requestBody?.content?.["application/json"]?.schema;

  const url = fc
    .tuple(
      fc.tuple(...pathParams.map(() => pathSegment)),
      fc.array(
        fc.tuple(fc.oneof(fc.constantFrom(...(queryParams.length ? queryParams.map((p) => p.name) : ["q"])), fc.string({ maxLength: 8 }).map(encodeURIComponent)), queryValue),
        { maxLength: 4 },
      ),
    )
    .map(([segments, query]) => {
      let filled = path;
      pathParams.forEach((param, i) => (filled = filled.replace(`{${param.name}}`, segments[i]!)));
      return query.length ? `${filled}?${query.map(([k, v]) => `${k}=${v}`).join("&")}` : filled;
    });

  const valid = bodySchema ? valueFor(document, bodySchema) : fc.constant(undefined);
  const body = fc.oneof(
    { weight: 4, arbitrary: valid.map((v) => (v === undefined ? undefined : JSON.stringify(v))) },
    { weight: 3, arbitrary: valid.chain(mutate).map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: junk.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: rawBodies },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

  const headers = fc.record(
    {
      "content-type": contentTypes,
      "idempotency-key": fc.oneof(fc.constantFrom("fuzz-key-1", "fuzz-key-2", "fuzz-key-3"), headerValue),
      authorization: headerValue,
      "x-api-key": headerValue,
      cookie: headerValue,
      accept: fc.constantFrom("application/json", "*/*", "text/html", "application/xml"),
    },
    { requiredKeys: [] },
  );

  return fc.tuple(url, body, headers).map(([u, payload, h]) => {
    const request: InjectOptions = { method: method as InjectOptions["method"], url: u, headers: h };
    if (payload !== undefined && method !== "GET") request.payload = payload;
    return request;
  });
}

function isEnvelope(body: string): boolean {
  try {
    const { error, ...rest } = JSON.parse(body);
    return (
      Object.keys(rest).length === 0 &&
      typeof error?.code === "string" &&
      typeof error.message === "string" &&
      Array.isArray(error.fields) &&
      typeof error.requestId === "string"
    );
  } catch {
    return false;
  }
}

export function documentedOperations(document: JsonSchema): Operation[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

/**
 * Sends `runs` random requests to every documented operation and fails (with fast-check's
 * shrunk counterexample) on any 5xx the operation does not document as one of its own designed
 * answers (`/readyz`'s 503), or on any answer that is not JSON.
 */
export async function fuzzOpenApiOperations(options: {
  fastify: FastifyInstance;
  document: JsonSchema;
  runs: number;
  seed?: number;
  skip?: (operation: Operation) => boolean;
}): Promise<{ requests: number; byStatus: Record<number, number> }> {
  const byStatus: Record<number, number> = {};
  let requests = 0;
  for (const operation of documentedOperations(options.document)) {
    if (options.skip?.(operation)) continue;
    const designed = new Set(
      Object.entries(operation.operation.responses ?? {})
        .filter(([, response]) => !(response as JsonSchema).$ref)
        .map(([status]) => Number(status)),
    );
    await fc.assert(
      fc.asyncProperty(requestFor(options.document, operation), async (request) => {
        const response = await options.fastify.inject(request);
        requests++;
        byStatus[response.statusCode] = (byStatus[response.statusCode] ?? 0) + 1;
        if (response.statusCode >= 500 && !designed.has(response.statusCode)) {
          throw new Error(`${operation.method} ${operation.path} answered ${response.statusCode}: ${response.body.slice(0, 500)}`);
        }
        if (response.statusCode >= 400 && !designed.has(response.statusCode) && !isEnvelope(response.body)) {
          throw new Error(`${operation.method} ${operation.path} answered ${response.statusCode} without the envelope: ${response.body.slice(0, 300)}`);
        }
      }),
      { numRuns: options.runs, seed: options.seed, endOnFailure: false },
    );
  }
  return { requests, byStatus };
}
