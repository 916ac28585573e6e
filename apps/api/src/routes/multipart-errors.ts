import { DomainError } from "@agrinet/core";
import type { FastifyInstance } from "fastify";

/**
 * The client's part of a failed multipart read, as the error to answer with: a file over the
 * route's limit is 413; busboy's parse errors (no boundary, truncated part, bad part header) are
 * 400. Anything else is not the client's and is rethrown by the caller.
 */
export function multipartClientError(
  fastify: FastifyInstance,
  error: unknown,
  limit: { maxBytes: number; what: string },
): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (error instanceof fastify.multipartErrors.RequestFileTooLargeError) {
    return new DomainError("PAYLOAD_TOO_LARGE", `${limit.what} are limited to ${limit.maxBytes} bytes`, {
      details: { maxBytes: limit.maxBytes },
    });
  }
  if (isMalformedMultipart(error)) {
    return new DomainError("VALIDATION_FAILED", "(body): malformed multipart/form-data", {
      fields: [{ path: "(body)", message: "malformed multipart/form-data" }],
    });
  }
  return undefined;
}

function isMalformedMultipart(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("FST_")) return !code.includes("FILE_TOO_LARGE");
  return /multipart|boundary|unexpected end of form|malformed|part header/i.test(error.message);
}
