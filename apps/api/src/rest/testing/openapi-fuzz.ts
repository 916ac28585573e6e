/* eslint-disable @typescript-eslint/no-explicit-any -- walks the untyped JSON of an OpenAPI document */
// Fuzzes every operation of an OpenAPI document against a Fastify app: bodies, path parameters,
// query strings and headers generated from the operation's schemas, mutated with hand-picked
// nasties, plus raw garbage. The document drives it, so a new endpoint is fuzzed as soon as it
// is served. Used by the fuzz tests; FUZZ_RUNS there raises the count.
import fc from "fast-check";
import type { Db } from "@agrinet/db";
import { partnerScopes } from "@agrinet/router";
import type { FastifyInstance, InjectOptions } from "fastify";
import { createTestCredentials } from "../../testing/credentials";

type JsonSchema = Record<string, any>;
type Operation = { method: string; path: string; operation: any };

/**
 * Whether requests that pass the access check may carry the inputs PostgreSQL cannot store (NUL,
 * lone surrogates, deep nesting, numbers beyond int8, malformed multipart). They answered 500
 * until the `harden` branch (#23 robustness: 400 naming the field) landed; while this is false
 * they go only in requests without valid credentials (stopped at 401, as before). Set it to
 * true once that branch is merged.
 */
export const unstorableInputsAnswered = false;

/** Values that have broken JSON APIs before: precision, sign, encodings, prototype keys. */
export const nastyValues: unknown[] = [
  null, true, false, 0, -0, -1, 1.5, -250000, 0.1, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER, 9.999999999999999e22, "", " ", "0", "-0", "00012", "1e5", "0x10", " 12", "12 ", "+5", "١٢٣",
  "9".repeat(400), "-9223372036854775809", "NaN", "Infinity", "null", "undefined", "true",
  "🙂👩‍👩‍👧", "Ω≈ç√∫", "𝕏".repeat(50), "<script>alert(1)</script>", "'; drop table deposits; --",
  "../../etc/passwd", "%00", "%", "${jndi:ldap://x}", "a".repeat(10_000), [], {}, [[[[[[[[[[]]]]]]]]]],
  { __proto__: { polluted: true } }, { constructor: { prototype: { polluted: true } } }, { toString: 1, valueOf: "x" },
  Array.from({ length: 1000 }, (_, i) => i),
];

/** Inputs a database cannot store as given: NUL, lone surrogates, depth, int8 overflow. */
export const unstorableValues: unknown[] = [
  "\u0000", "a\u0000b", "\ud800", "x\udc00y", "\udfff\ud800", "9223372036854775808", "99999999999999999999",
  9223372036854775808, 1e19, { "key\u0000": "v" }, { "\ud800": 1 }, deepNest(200), deepNest(3_000),
];

function deepNest(depth: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { nested: value };
  return value;
}

/** The generators of one kind of request: with or without the unstorable inputs. */
type Kit = { nasty: fc.Arbitrary<unknown>; junk: fc.Arbitrary<unknown>; unstorable: boolean };

function kit(unstorable: boolean): Kit {
  const nasty = fc.constantFrom(...nastyValues, ...(unstorable ? unstorableValues : []));
  const junk = fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: nasty },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 50 }) },
  );
  return { nasty, junk, unstorable };
}

const fullKit = kit(true);
const storableKit = kit(false);

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
export function valueFor(document: JsonSchema, raw: JsonSchema | undefined, depth = 0, tools: Kit = fullKit): fc.Arbitrary<unknown> {
  const { junk } = tools;
  const schema = resolve(document, raw);
  if (depth > 6) return junk;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s: JsonSchema) => valueFor(document, s, depth + 1, tools)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => valueFor(document, { ...schema, type }, depth, tools)));
  switch (types[0]) {
    case "object": {
      const properties: Record<string, JsonSchema> = schema.properties ?? {};
      const required = new Set<string>(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) record[name] = valueFor(document, property, depth + 1, tools);
      const requiredKeys = Object.keys(properties).filter((name) => required.has(name));
      const known = fc.record(record, { requiredKeys });
      // Unknown fields: random names, and the misspellings a partner makes.
      const extra = fc.dictionary(
        fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("ammount", "userID", "refrence", "currncy", "dryRun")),
        junk,
        { maxKeys: 3 },
      );
      return fc.tuple(known, extra, fc.boolean()).map(([k, e, withExtra]) => (withExtra ? { ...e, ...k } : k));
    }
    case "array":
      return fc.array(valueFor(document, schema.items, depth + 1, tools), { maxLength: 5 });
    case "string":
      return fc.oneof(
        fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 200), unit: "grapheme" }),
        fc.constantFrom("user_buyer1", "KES", "USD", "kes", "250000", "MPESA-12345", "2026-01-01T00:00:00Z"),
        ...(tools.unstorable ? [fc.constantFrom("ref\u0000", "\ud800", "user_\udc00", "a\u0000b")] : []),
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
function mutate(value: unknown, { nasty, junk }: Kit): fc.Arbitrary<unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return fc.oneof(nasty, junk);
  const keys = Object.keys(value);
  if (!keys.length) return fc.oneof(nasty, junk);
  return fc.tuple(fc.constantFrom(...keys), fc.oneof(nasty, junk)).map(([key, replacement]) => ({ ...value, [key]: replacement }));
}

const storableRawBodies = [
  "{", "[", '{"a":', '{"amount": 1e999999}', '{"amount": 123456789012345678901234567890}', "\ufeff{}", "nul", "''",
  '{"a":1,"a":2}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', "{}".repeat(5000), "[".repeat(5000),
  // Over the body limit (64 KiB in the fuzz apps): 413, in the envelope.
  JSON.stringify({ reference: "r".repeat(70_000) }),
];
const unstorableRawBodies = [
  "\u0000", '{"reference":"a\\u0000b"}', '{"reference":"\\ud800"}', '{"metadata":{"k\\u0000":"v"}}',
  `{"metadata":${'{"a":'.repeat(3_000)}1${"}".repeat(3_000)}}`,
];
const rawBodies = (tools: Kit) => fc.constantFrom(...storableRawBodies, ...(tools.unstorable ? unstorableRawBodies : []));

/** Multipart bodies that end early, lie about their boundary or carry no file. */
const malformedMultipart = fc.constantFrom(
  { type: "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc" },
  { type: "multipart/form-data; boundary=x", body: "--y\r\n\r\n--y--" },
  { type: "multipart/form-data", body: "--x\r\n" },
  { type: "multipart/form-data; boundary=x", body: "" },
  { type: "multipart/form-data; boundary=x", body: '--x\r\nContent-Disposition: form-data; name="file"; filename="r.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n' },
  { type: "multipart/form-data; boundary=" + "b".repeat(200), body: "--" + "b".repeat(200) + "--\r\n" },
);

const otherContentTypes = [
  "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", "application/x-www-form-urlencoded",
  "application/xml", "application/json; charset=latin1", "", "*/*", "application/vnd.api+json",
];
// Mostly JSON, so bodies reach validation rather than stopping at 415. A JSON body sent as
// multipart is a malformed multipart body.
const contentTypes = (tools: Kit) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant("application/json") },
    { weight: 1, arbitrary: fc.constantFrom(...otherContentTypes, ...(tools.unstorable ? ["multipart/form-data; boundary=x"] : [])) },
  );

const headerValue = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
  fc.constantFrom("Bearer ", "Bearer x.y.z", "Basic Zm9vOmJhcg==", "a".repeat(300), "better-auth.session_token=abc; x=y"),
);

const pathSegment = (tools: Kit) =>
  fc.oneof(
    fc.string({ minLength: 1, maxLength: 30, unit: "grapheme" }).map(encodeURIComponent),
    fc.constantFrom("%", "%ZZ", "..", ".", "%2F", "a%2Fb", "9".repeat(300), "tr_1", "null", "-1", "%F0%9F%99%82"),
    ...(tools.unstorable ? [fc.constantFrom("%00", "a%00b", "%ED%A0%80", "9223372036854775808", "99999999999999999999")] : []),
  );

const queryValue = (tools: Kit) =>
  fc.oneof(
    fc.string({ maxLength: 30, unit: "grapheme" }).map(encodeURIComponent),
    fc.constantFrom("%", "%ZZ", "", "user_prod7", "1e400", "-1", "0", "abc"),
    ...(tools.unstorable ? [fc.constantFrom("%00", "a%00b", "%ED%A0%80", "9223372036854775808", "99999999999999999999")] : []),
  );

/** Real credentials for the fuzzed app, so most requests pass the access check and reach validation. */
export type FuzzCredentials = { partner?: Record<string, string>; staff?: Record<string, string>; user?: Record<string, string> };

/**
 * A payout worker's heartbeat for the whole run: without one, every credentialed payout request
 * answers the designed 503 WORKER_OFFLINE and never reaches the payout code.
 */
export async function pretendPayoutWorkerAlive(db: Db): Promise<void> {
  const beatAt = new Date(Date.now() + 24 * 3600_000);
  await db.workerHeartbeat.upsert({
    where: { workerId: "fuzz" },
    create: { workerId: "fuzz", hostname: "fuzz", pid: 0, beatAt },
    update: { beatAt },
  });
}

/** The broadest callers: a partner with every scope, an admin, and the spec's buyer. */
export async function fuzzCredentials(fastify: FastifyInstance, db: Db): Promise<FuzzCredentials> {
  const credentials = createTestCredentials({ fastify, db });
  return {
    partner: await credentials.partner(partnerScopes),
    staff: await credentials.staff("admin"),
    user: await credentials.user("user_buyer1"),
  };
}

function credentialsFor(operation: any, credentials: FuzzCredentials): Record<string, string>[] {
  // A stream a valid caller opens stays open: its requests stop at the access check.
  if (operation.responses?.["200"]?.content?.["text/event-stream"]) return [];
  const schemes = new Set<string>((operation.security ?? []).flatMap((requirement: object) => Object.keys(requirement)));
  const usable: Record<string, string>[] = [];
  if ((schemes.has("partnerApiKey") || schemes.has("partnerApiKeyHeader")) && credentials.partner) usable.push(credentials.partner);
  if (schemes.has("staffSession") && credentials.staff) usable.push(credentials.staff);
  if (schemes.has("userJwt") && credentials.user) usable.push(credentials.user);
  // Public operations, and a caller the operation does not take (403 after its credentials verified).
  if (usable.length === 0) usable.push(...Object.values(credentials).filter((headers) => headers !== undefined));
  return usable;
}

/** One random request for `operation`: mostly near-valid, sometimes garbage. */
export function requestFor(
  document: JsonSchema,
  { method, path, operation }: Operation,
  credentials: FuzzCredentials = {},
  unstorableWithCredentials = unstorableInputsAnswered,
): fc.Arbitrary<InjectOptions> {
  const parameters: JsonSchema[] = (operation.parameters ?? []).map((p: JsonSchema) => resolve(document, p));
  const pathParams = parameters.filter((p) => p.in === "path");
  const queryParams = parameters.filter((p) => p.in === "query");
  const bodySchema = operation.requestBody?.content?.["application/json"]?.schema;
  const takesMultipart = operation.requestBody?.content?.["multipart/form-data"] !== undefined;

  const requestWith = (tools: Kit, credentialHeaders: fc.Arbitrary<Record<string, string>>) => {
    const url = fc
      .tuple(
        fc.tuple(...pathParams.map(() => pathSegment(tools))),
        fc.array(
          fc.tuple(
            fc.oneof(
              fc.constantFrom(...(queryParams.length ? queryParams.map((p) => p.name) : ["q"])),
              // Unknown parameters: random names and filters that do not exist.
              fc.string({ maxLength: 8 }).map(encodeURIComponent),
              fc.constantFrom("consumerId", "userID", "page"),
            ),
            queryValue(tools),
          ),
          { maxLength: 4 },
        ),
        // A repeated parameter (`?to=1&to=2`).
        fc.boolean(),
      )
      .map(([segments, query, repeat]) => {
        let filled = path;
        pathParams.forEach((param, i) => (filled = filled.replace(`{${param.name}}`, segments[i]!)));
        const pairs = repeat && query.length ? [...query, query[0]!] : query;
        return pairs.length ? `${filled}?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}` : filled;
      });

    const valid = bodySchema ? valueFor(document, bodySchema, 0, tools) : fc.constant(undefined);
    const body = fc.oneof(
      { weight: 4, arbitrary: valid.map((v) => (v === undefined ? undefined : JSON.stringify(v))) },
      { weight: 3, arbitrary: valid.chain((v) => mutate(v, tools)).map((v) => JSON.stringify(v) ?? "null") },
      { weight: 1, arbitrary: tools.junk.map((v) => JSON.stringify(v) ?? "null") },
      { weight: 1, arbitrary: rawBodies(tools) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );

    const headers = fc.tuple(
      fc.record(
        {
          "content-type": contentTypes(tools),
          "idempotency-key": fc.oneof(fc.constantFrom("fuzz-key-1", "fuzz-key-2", "fuzz-key-3"), headerValue),
          accept: fc.constantFrom("application/json", "*/*", "text/html", "application/xml"),
        },
        { requiredKeys: [] },
      ),
      credentialHeaders,
    );

    const json = fc.tuple(url, body, headers).map(([u, payload, [h, c]]) => {
      const request: InjectOptions = { method: method as InjectOptions["method"], url: u, headers: { ...h, ...c } };
      if (payload !== undefined && method !== "GET") request.payload = payload;
      return request;
    });
    if (!takesMultipart || !tools.unstorable) return json;
    const multipart = fc.tuple(url, malformedMultipart, credentialHeaders).map(([u, part, c]) => ({
      method: method as InjectOptions["method"],
      url: u,
      headers: { ...c, "content-type": part.type },
      payload: part.body,
    }));
    return fc.oneof(json, multipart);
  };

  const junkCredentials = fc.record(
    { authorization: headerValue, "x-api-key": headerValue, cookie: headerValue },
    { requiredKeys: [] },
  );
  const real = credentialsFor(operation, credentials);
  if (real.length === 0) return requestWith(fullKit, junkCredentials);
  return fc.oneof(
    // Without valid credentials: every generator, as these stop at the access check.
    { weight: 1, arbitrary: requestWith(fullKit, junkCredentials) },
    { weight: 3, arbitrary: requestWith(unstorableWithCredentials ? fullKit : storableKit, fc.constantFrom(...real)) },
  );
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
  /** Headers of real callers: most requests carry them, so they reach validation. */
  credentials?: FuzzCredentials;
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
      fc.asyncProperty(requestFor(options.document, operation, options.credentials), async (request) => {
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
