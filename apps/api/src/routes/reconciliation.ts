import { DomainError, isSupportedCurrency } from "@agrinet/core";
import type { Db } from "@agrinet/db";
import { dailyReportCsv, importStatement, maxStatementBytes, pullStripeStatement, reconciliationSources, type ReconciliationSource } from "@agrinet/domain";
import { actorOf, everyStaff, staffWriters } from "@agrinet/router";
import { requireAccess } from "../auth/require-access";
import multipart from "@fastify/multipart";
import type { FastifyInstance } from "fastify";
import type Stripe from "stripe";
import { callerFor, type ContextDeps } from "../request-context";
import { multipartClientError } from "./multipart-errors";

const field = (path: string, message: string) => new DomainError("VALIDATION_FAILED", `${path}: ${message}`, { fields: [{ path, message }] });

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * Statement uploads (multipart: `file`, `source`, and for a bank CSV `bank`, the saved column
 * mapping's name) answer with the preview that `POST …/statements/{id}/commit` commits; the CSV
 * faces of the daily report and of the exceptions queue call their procedures, so validation
 * and access rules apply unchanged.
 */
export async function reconciliationRoutes(fastify: FastifyInstance, options: ContextDeps & { db: Db; stripe: Stripe | null }) {
  await fastify.register(multipart, { limits: { fileSize: maxStatementBytes, files: 1, fields: 5, parts: 6 } });

  fastify.post(
    "/admin/reconciliation/statements",
    {
      preHandler: requireAccess({ staff: staffWriters }),
      config: {
        openapi: {
          operationId: "uploadReconciliationStatement",
          summary: "Upload a statement (M-Pesa CSV, bank CSV or camt.053 XML) for preview",
          description:
            "multipart/form-data: `file`, `source` (mpesa | bank), for a bank CSV `bank` (a saved column mapping), optionally `currency`. Answers the preview: rows parsed, date range, totals, refused rows with their reason, how many lines are new. Nothing is matched until the statement is committed.",
          tags: ["reconciliation"],
          security: [{ staffSession: [] }],
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: {
                  type: "object",
                  properties: {
                    file: { type: "string", format: "binary" },
                    source: { type: "string", enum: [...reconciliationSources] },
                    bank: { type: "string" },
                    currency: { type: "string" },
                  },
                  required: ["file", "source"],
                },
              },
            },
          },
          responses: {
            "201": { description: "The statement's preview", content: { "application/json": {} } },
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
        throw new DomainError("UNSUPPORTED_MEDIA_TYPE", "send the statement as multipart/form-data with `file` and `source` fields");
      }
      const fields: Record<string, string> = {};
      let bytes: Buffer | undefined;
      let fileName: string | null = null;
      try {
        for await (const part of request.parts()) {
          if (part.type === "file") {
            if (part.fieldname !== "file") throw field(part.fieldname, "unexpected file field; use `file`");
            bytes = await part.toBuffer();
            fileName = part.filename || null;
          } else {
            fields[part.fieldname] = String(part.value ?? "");
          }
        }
      } catch (error) {
        throw multipartClientError(fastify, error, { maxBytes: maxStatementBytes, what: "statements" }) ?? error;
      }
      if (!bytes) throw field("file", "required");
      const source = fields.source as ReconciliationSource | undefined;
      if (!source || !(reconciliationSources as readonly string[]).includes(source)) {
        throw field("source", `one of ${reconciliationSources.join(", ")}`);
      }
      const currency = fields.currency?.toUpperCase();
      if (currency !== undefined && currency !== "" && !isSupportedCurrency(currency)) throw field("currency", "unsupported currency");
      const preview = await importStatement({
        db: options.db,
        source,
        bytes,
        fileName,
        bank: fields.bank || undefined,
        currency: currency && isSupportedCurrency(currency) ? currency : undefined,
        uploadedBy: actorOf(request.principal),
      });
      // The same output schema as getStatement, so both faces answer alike.
      const answer = await callerFor(options, request).reconciliation.getStatement({ statementId: preview.id });
      return reply.status(201).send(answer);
    },
  );

  fastify.post<{ Body: { from?: unknown; to?: unknown } }>(
    "/api/v1/reconciliation/stripe/pull",
    {
      preHandler: requireAccess({ staff: staffWriters }),
      config: {
        openapi: {
          operationId: "pullStripeBalanceTransactions",
          summary: "Pull Stripe's balance transactions for a period as a statement preview",
          description: "JSON `{ from, to }` (ISO 8601 date-times). Answers the preview, committed like an upload.",
          tags: ["reconciliation"],
          security: [{ staffSession: [] }],
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              description: "Accepted and not needed: a pulled period committed twice adds no line twice.",
              schema: { type: "string", maxLength: 255 },
            },
          ],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: { from: { type: "string", format: "date-time" }, to: { type: "string", format: "date-time" } },
                  required: ["from", "to"],
                },
              },
            },
          },
          responses: {
            "201": { description: "The statement's preview", content: { "application/json": {} } },
            "400": { $ref: "#/components/responses/BadRequest" },
            "401": { $ref: "#/components/responses/Unauthorized" },
            "403": { $ref: "#/components/responses/Forbidden" },
          },
        },
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as { from?: unknown; to?: unknown };
      const when = (name: "from" | "to") => {
        const value = body[name];
        const at = typeof value === "string" ? Date.parse(value) : Number.NaN;
        if (Number.isNaN(at)) throw field(name, "an ISO 8601 date-time");
        return new Date(at);
      };
      const from = when("from");
      const to = when("to");
      if (to < from) throw field("to", "before from");
      if (!options.stripe) throw field("source", "Stripe is not configured (STRIPE_KEY)");
      const preview = await pullStripeStatement({ db: options.db, stripe: options.stripe, from, to, uploadedBy: actorOf(request.principal) });
      const answer = await callerFor(options, request).reconciliation.getStatement({ statementId: preview.id });
      return reply.status(201).send(answer);
    },
  );

  fastify.get<{ Querystring: { source?: string; from?: string; to?: string } }>(
    "/api/v1/reconciliation/report.csv",
    {
      config: {
        openapi: {
          operationId: "reconciliationReportCsv",
          summary: "Daily reconciliation report as CSV (minor units)",
          tags: ["reconciliation"],
          parameters: ["source", "from", "to"].map((name) => ({ name, in: "query", required: true, schema: { type: "string" } })),
          // The procedure's own rule: this route calls it.
          access: { staff: everyStaff },
          errorStatuses: [400],
          responses: { "200": { description: "CSV, one row per day and currency", content: { "text/csv": {} } } },
        },
      },
    },
    async (request, reply) => {
      const { source, from, to } = request.query;
      const report = await callerFor(options, request).reconciliation.getDailyReport({
        source: source as ReconciliationSource,
        from: from as string,
        to: to as string,
      });
      const rows = report.items.map((row) => ({
        ...row,
        source: row.source as ReconciliationSource,
        opening: row.opening === null ? null : BigInt(row.opening),
        closing: row.closing === null ? null : BigInt(row.closing),
        moneyIn: BigInt(row.moneyIn),
        moneyOut: BigInt(row.moneyOut),
        ledgerNet: BigInt(row.ledgerNet),
        unexplainedDifference: BigInt(row.unexplainedDifference),
        ledgerClosing: BigInt(row.ledgerClosing),
        closingDifference: row.closingDifference === null ? null : BigInt(row.closingDifference),
        comparisonRecordedAt: row.comparisonRecordedAt === null ? null : new Date(row.comparisonRecordedAt),
      }));
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="reconciliation-${source}-${from}-${to}.csv"`)
        .send(dailyReportCsv(rows));
    },
  );

  fastify.get<{ Querystring: Record<string, string | undefined> }>(
    "/api/v1/reconciliation/exceptions.csv",
    {
      preHandler: requireAccess({ staff: everyStaff }),
      config: {
        openapi: {
          operationId: "reconciliationExceptionsCsv",
          summary: "The exceptions queue as CSV, with the same filters as the JSON list",
          tags: ["reconciliation"],
          security: [{ staffSession: [] }],
          parameters: ["source", "kind", "status", "assignee", "reference", "minAgeDays"].map((name) => ({
            name,
            in: "query",
            required: false,
            schema: { type: "string" },
          })),
          responses: { "200": { description: "CSV, one row per exception (at most 50,000)", content: { "text/csv": {} } } },
        },
      },
    },
    async (request, reply) => {
      const caller = callerFor(options, request);
      const { source, kind, status, assignee, reference, minAgeDays } = request.query;
      const columns = ["id", "source", "kind", "status", "reference", "currency", "ledger_amount", "statement_amount", "occurred_at", "age_days", "assignee", "resolution", "resolution_reason", "comments"];
      const lines = [columns.join(",")];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page += 1) {
        const result = await caller.reconciliation.listExceptions({
          source: source as ReconciliationSource | undefined,
          kind: kind as never,
          status: (status ?? "open") as never,
          assignee,
          reference,
          minAgeDays: minAgeDays === undefined ? undefined : Number(minAgeDays),
          cursor,
          limit: 500,
        });
        for (const e of result.items) {
          lines.push(
            [e.id, e.source, e.kind, e.status, e.reference, e.currency, e.ledgerAmount, e.statementAmount, e.occurredAt, e.ageDays, e.assignee, e.resolution, e.resolutionReason, e.comments]
              .map(csvCell)
              .join(","),
          );
        }
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="reconciliation-exceptions.csv"`)
        .send(`${lines.join("\n")}\n`);
    },
  );
}
