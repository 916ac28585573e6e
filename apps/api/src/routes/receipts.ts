import { createReadStream } from "node:fs";
import { DomainError } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { findReceipt, maxReceiptBytes, storeReceipt } from "@agrinet/domain";
import { actorOf, staffWriters } from "@agrinet/router";
import { requireAccess } from "../auth/require-access";
import multipart from "@fastify/multipart";
import type { FastifyInstance } from "fastify";
import { multipartClientError } from "./multipart-errors";

export type ReceiptRoutesOptions = { db: Db; uploadsDir: string };

/**
 * Deposit receipts: uploaded as multipart (field `file`), stored under UPLOADS_DIR by sha256,
 * and served back only to admins and operators — receipts show customers' account details.
 */
export async function receiptRoutes(fastify: FastifyInstance, options: ReceiptRoutesOptions) {
  const { db, uploadsDir } = options;
  // One file per request; one byte over the limit is enough to refuse it.
  await fastify.register(multipart, { limits: { fileSize: maxReceiptBytes, files: 1, fields: 5, parts: 6 } });

  fastify.post(
    "/api/v1/uploads/receipts",
    {
      preHandler: requireAccess({ staff: staffWriters, partner: ["deposits:write"] }),
      config: {
        openapi: {
          operationId: "uploadReceipt",
          summary: "Upload a deposit receipt (JPEG, PNG or PDF, at most 5 MB)",
          description:
            "multipart/form-data with one `file` field. The type is decided by the file's content. Returns the sha256 to pass as `receiptSha256` when confirming a deposit.",
          tags: ["deposits"],
          security: [{ staffSession: [] }, { partnerApiKey: [] }, { partnerApiKeyHeader: [] }],
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              description: "Accepted and not needed: receipts are stored by content hash, so a repeated upload returns the same receipt.",
              schema: { type: "string", maxLength: 255 },
            },
          ],
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: { type: "object", properties: { file: { type: "string", format: "binary" } }, required: ["file"] },
              },
            },
          },
          responses: {
            "201": { description: "Stored (or already stored: same content, same hash)", content: { "application/json": {} } },
            "400": { $ref: "#/components/responses/BadRequest" },
            "401": { $ref: "#/components/responses/Unauthorized" },
            "403": { $ref: "#/components/responses/Forbidden" },
            "413": { $ref: "#/components/responses/PayloadTooLarge" },
            "415": { $ref: "#/components/responses/UnsupportedMediaType" },
          },
        },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw new DomainError("UNSUPPORTED_MEDIA_TYPE", "send the receipt as multipart/form-data with a `file` field");
      }
      let bytes: Buffer;
      try {
        const file = await request.file();
        if (!file) {
          throw new DomainError("VALIDATION_FAILED", "file: required", { fields: [{ path: "file", message: "required" }] });
        }
        bytes = await file.toBuffer();
      } catch (error) {
        throw multipartClientError(fastify, error, { maxBytes: maxReceiptBytes, what: "receipts" }) ?? error;
      }
      const receipt = await storeReceipt({ db, uploadsDir, bytes, uploadedBy: actorOf(request.principal) });
      return reply.status(201).send({
        sha256: receipt.sha256,
        url: receipt.url,
        contentType: receipt.contentType,
        size: receipt.size,
      });
    },
  );

  fastify.get<{ Params: { sha256: string } }>(
    "/api/v1/uploads/receipts/:sha256",
    {
      preHandler: requireAccess({ staff: staffWriters }),
      config: {
        openapi: {
          operationId: "getReceipt",
          summary: "Download a receipt (admins and operators only)",
          tags: ["deposits"],
          security: [{ staffSession: [] }],
          parameters: [{ name: "sha256", in: "path", required: true, schema: { type: "string", pattern: "^[0-9a-f]{64}$" } }],
          responses: {
            "200": { description: "The file", content: { "image/jpeg": {}, "image/png": {}, "application/pdf": {} } },
            "401": { $ref: "#/components/responses/Unauthorized" },
            "403": { $ref: "#/components/responses/Forbidden" },
            "404": { $ref: "#/components/responses/NotFound" },
          },
        },
      },
    },
    async (request, reply) => {
      const receipt = await findReceipt({ db, uploadsDir, sha256: request.params.sha256 });
      return reply
        .header("content-type", receipt.contentType)
        .header("content-length", receipt.size)
        // The bytes never change for a hash; the content type must never be sniffed into HTML.
        .header("cache-control", "private, max-age=31536000, immutable")
        .header("x-content-type-options", "nosniff")
        .header("content-disposition", `inline; filename="receipt-${receipt.sha256.slice(0, 12)}"`)
        .send(createReadStream(receipt.path));
    },
  );
}
