import createFetchClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, paths } from "./generated/rest-schema.js";

export type { components, operations, paths } from "./generated/rest-schema.js";

/** Every error the API answers with, whatever the status. */
export type ErrorEnvelope = components["schemas"]["ErrorEnvelope"];

export type AgrinetRestClient = Client<paths>;

export type AgrinetClientOptions = {
  /** e.g. `https://pay.agrinet.example` (no trailing path). */
  baseUrl: string;
  /** A partner API key, sent as `x-api-key`. */
  apiKey?: string;
  /** An end user's JWT, sent as `Authorization: Bearer`. */
  userToken?: string;
  headers?: Record<string, string>;
  fetch?: ClientOptions["fetch"];
};

/**
 * A typed REST client: paths, parameters, bodies and answers checked against the API's OpenAPI
 * document (`client.POST("/deposit", { body })` returns `{ data }` or `{ error: ErrorEnvelope }`).
 * Send an `Idempotency-Key` header on POSTs you may retry.
 */
export function createAgrinetClient(options: AgrinetClientOptions): AgrinetRestClient {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey) headers["x-api-key"] = options.apiKey;
  if (options.userToken) headers.authorization = `Bearer ${options.userToken}`;
  return createFetchClient<paths>({ baseUrl: options.baseUrl, headers, ...(options.fetch ? { fetch: options.fetch } : {}) });
}
