/* eslint-disable @typescript-eslint/no-explicit-any -- walks the untyped JSON of an OpenAPI document */
import { errorStatus } from "@agrinet/core";
import { readFile, writeFile } from "node:fs/promises";
import { createTestDatabase, type TestDatabase } from "@agrinet/db/testing";
import { appRouter } from "@agrinet/router";
import { promisedRootPaths } from "@agrinet/schemas";
import SwaggerParser from "@apidevtools/swagger-parser";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { Validator } from "@seriousme/openapi-schema-validator";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildTestApp } from "./testing/test-app";

let database: TestDatabase;
let fastify: FastifyInstance;
const served: { method: string; url: string; formerPath?: boolean }[] = [];
let document: any;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ fastify } = await buildTestApp(database, {
    onRoute: (route) => {
      for (const method of [route.method].flat()) served.push({ method, url: route.url, formerPath: route.config?.formerPath });
    },
  }));
  const response = await fastify.inject({ method: "GET", url: "/openapi.json" });
  expect(response.statusCode).toBe(200);
  document = response.json();
});

afterAll(async () => {
  await fastify?.close();
  await database?.drop();
});

const methods = ["get", "post", "put", "patch", "delete"];

function operations(): { method: string; path: string; operation: any }[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => methods.includes(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

test("/openapi.json is a valid OpenAPI 3.1 document", async () => {
  const result = await new Validator().validate(document);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(document.openapi).toMatch(/^3\./);
});

test("redocly lint with its recommended rules reports no error and no warning", async () => {
  const config = await createConfig({ extends: ["recommended"] });
  const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: "openapi.json", config });
  const described = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ""}`);
  expect(described).toEqual([]);
});

test("a second, independent validator (swagger-parser: schema and $refs) accepts the document", async () => {
  // It dereferences in place: give it a copy.
  await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeTruthy();
});

test("named component schemas, response headers and statuses partners rely on are documented", () => {
  expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(["Deposit", "Payout", "Contract", "ErrorEnvelope"]));
  expect(document.components.securitySchemes.staffSession.name).toBe("agrinet.session_token");
  const stream = document.paths["/notifications/stream"].get;
  const csv = document.paths["/admin/settlements.csv"].get;
  for (const operation of [stream, csv]) {
    expect(operation.security.length).toBeGreaterThan(0);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["400", "401", "403"]));
  }
  expect(csv.parameters.find((p: any) => p.name === "groupBy").schema.enum).toContain("producer");
  expect(Object.keys(document.paths["/submitRating"].post.responses)).toContain("404");
  const deposit = document.paths["/deposit"].post;
  expect(Object.keys(deposit.responses)).toEqual(expect.arrayContaining(["413", "431"]));
  expect(Object.keys(deposit.responses["200"].headers)).toEqual(
    expect.arrayContaining(["x-request-id", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "Idempotent-Replayed"]),
  );
  expect(document.components.responses.RequestHeaderFieldsTooLarge.content["application/json"].schema.$ref).toBe("#/components/schemas/ErrorEnvelope");
  expect(document.paths["/api/auth/sign-in/email"].post.requestBody.content["application/json"].schema.required).toEqual(["email", "password"]);
  const listDeposits = document.paths["/api/v1/deposits"].get.parameters;
  expect(listDeposits.find((p: any) => p.name === "from").schema.format).toBe("date-time");
  expect(document.paths["/api/v1/payout-batches/{batchId}"]).toBeDefined();
  expect(document.paths["/api/v1/payouts/batches/{batchId}"]).toBeUndefined();
});

test("every route the server serves is documented, and every documented route is served", () => {
  // tRPC speaks its own protocol at /trpc, /docs is the viewer of this document, /api/auth/* is
  // better-auth's session protocol for the dashboard (not a partner API), and HEAD and OPTIONS
  // (CORS preflight) are answered for every route by Fastify and @fastify/cors.
  const undocumented = (route: { method: string; url: string; formerPath?: boolean }) =>
    route.method === "HEAD" ||
    route.method === "OPTIONS" ||
    route.url.startsWith("/trpc") ||
    route.url.startsWith("/docs") ||
    // better-auth's other endpoints; sign-in is documented (a tool needs it to get a session).
    (route.url.startsWith("/api/auth/") && route.url !== "/api/auth/sign-in/email") ||
    // An operation's earlier path, still served for existing partners (e.g. one that was ambiguous).
    route.formerPath === true;
  const servedSet = new Set(
    served.filter((route) => !undocumented(route)).map((route) => `${route.method} ${route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`),
  );
  const documentedSet = new Set(operations().map(({ method, path }) => `${method} ${path}`));
  expect([...servedSet].sort()).toEqual([...documentedSet].sort());
  expect(servedSet.has("GET /api/v1/system/status")).toBe(true);
  expect(servedSet.has("POST /api/auth/sign-in/email")).toBe(true);
  expect(served.some((route) => route.formerPath && route.url === "/api/v1/payouts/batches/:batchId")).toBe(true);
});

test("the spec's (and the issues') paths sit at the root; everything else is under /api/v1", () => {
  // better-auth's sign-in sits where better-auth serves it.
  const plain = new Set(["/healthz", "/readyz", "/openapi.json", "/api/auth/sign-in/email"]);
  for (const { method, path } of operations()) {
    if (plain.has(path) || path.startsWith("/api/v1/")) continue;
    expect(promisedRootPaths as readonly string[]).toContain(`${method} ${path}`);
  }
});

test("security schemes: partner bearer key, x-api-key, session cookie, user JWT", () => {
  const schemes = document.components.securitySchemes;
  expect(schemes.partnerApiKey).toMatchObject({ type: "http", scheme: "bearer" });
  expect(schemes.partnerApiKeyHeader).toMatchObject({ type: "apiKey", in: "header", name: "x-api-key" });
  expect(schemes.staffSession).toMatchObject({ type: "apiKey", in: "cookie" });
  expect(schemes.userJwt).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
});

test("every operation documents its errors with the one envelope", () => {
  const envelope = document.components.schemas.ErrorEnvelope;
  expect(envelope.properties.error.required).toEqual(["code", "message", "fields", "requestId"]);
  expect(envelope.properties.error.properties.code.enum).toEqual(Object.keys(errorStatus));
  for (const { method, path, operation } of operations()) {
    const statuses = Object.keys(operation.responses);
    expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(["429", "500"]));
    // /readyz answers its own 503; sign-in answers in better-auth's shape (with `error` beside it).
    for (const status of statuses.filter((s) => Number(s) >= 400 && !["/readyz"].includes(path) && !(path === "/api/auth/sign-in/email" && s !== "500"))) {
      const name = operation.responses[status].$ref?.split("/").pop();
      expect(document.components.responses[name]?.content["application/json"].schema.$ref, `${method} ${path} ${status}`).toBe(
        "#/components/schemas/ErrorEnvelope",
      );
    }
  }
  const create = document.paths["/api/v1/examples/transfers"].post;
  expect(Object.keys(create.responses).sort()).toEqual(["200", "400", "402", "409", "413", "415", "429", "431", "500", "503"]);
  expect(document.components.responses.TooManyRequests.headers["Retry-After"]).toBeDefined();
});

test("POSTs take an Idempotency-Key; examples and bigint amounts are documented", () => {
  for (const { method, path, operation } of operations().filter((o) => o.method === "POST" && o.path.startsWith("/api/") && !o.path.startsWith("/api/auth/"))) {
    expect(operation.parameters?.map((p: any) => p.name), `${method} ${path}`).toContain("Idempotency-Key");
  }
  const create = document.paths["/api/v1/examples/transfers"].post;
  expect(create.requestBody.content["application/json"].example).toMatchObject({ amount: 250000, currency: "KES" });
  expect(create.responses["200"].content["application/json"].example).toMatchObject({ amount: "250000" });
  const properties = create.requestBody.content["application/json"].schema.properties;
  expect(properties.amount.anyOf).toEqual([
    { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    { type: "string", pattern: "^[1-9]\\d{0,18}$" },
  ]);
  expect(properties.currency.enum).toEqual(["KES", "TZS", "UGX", "USD"]);
  expect(create.responses["200"].content["application/json"].schema.properties.amount.type).toBe("string");
  expect(document.paths["/api/v1/examples/transfers/{transferId}/confirm"].post.parameters).toEqual(
    expect.arrayContaining([expect.objectContaining({ in: "path", name: "transferId", required: true })]),
  );
  expect(document.paths["/api/v1/system/status"].get.security).toEqual([]);
});

test("/docs serves the reference page and its assets from this server, with no CDN", async () => {
  const page = await fastify.inject({ method: "GET", url: "/docs/" });
  expect(page.statusCode).toBe(200);
  expect(page.headers["content-type"]).toMatch(/text\/html/);
  const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
  expect(assets.length).toBeGreaterThan(0);
  for (const asset of assets) {
    expect(asset).not.toMatch(/^(https?:)?\/\//);
    const response = await fastify.inject({ method: "GET", url: new URL(asset, "http://local/docs/").pathname });
    expect(response.statusCode, asset).toBe(200);
  }
  const initializer = await fastify.inject({ method: "GET", url: "/docs/static/swagger-initializer.js" });
  expect(initializer.body).not.toMatch(/https?:\/\/(?!stackoverflow)/);
  const json = await fastify.inject({ method: "GET", url: "/docs/json" });
  expect(json.json().paths).toEqual(document.paths);
});

test("packages/client/openapi.json is the document the API serves (UPDATE_CLIENT_OPENAPI=1 rewrites it)", async () => {
  // The product's operations only: no example procedures, the Stripe webhook as production serves it.
  const { fastify: product } = await buildTestApp(database, { router: appRouter, payments: { webhookSecret: "whsec_document" } });
  try {
    const served = (await product.inject({ method: "GET", url: "/openapi.json" })).json();
    const file = new URL("../../../../packages/client/openapi.json", import.meta.url);
    const text = `${JSON.stringify(served, null, 2)}\n`;
    if (process.env.UPDATE_CLIENT_OPENAPI === "1") await writeFile(file, text);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(served);
    expect(Object.keys(served.paths["/payments/stripe/webhook"].post.responses)).toEqual(expect.arrayContaining(["413", "415"]));
  } finally {
    await product.close();
  }
});
