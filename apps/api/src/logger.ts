import type { FastifyServerOptions } from "fastify";

/** Never log credentials: auth headers, cookies, API keys, webhook signatures, secrets. */
export const redactedPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'req.headers["stripe-signature"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.secret",
  "*.apiKey",
  "*.token",
];

export function loggerOptions(level: string): FastifyServerOptions["logger"] {
  return { level, redact: { paths: redactedPaths, censor: "[redacted]" } };
}
