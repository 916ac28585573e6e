import { Readable } from "node:stream";
import { supportedCurrencies } from "@agrinet/core";
import { settlementCsvLines } from "@agrinet/domain";
import { everyStaff } from "@agrinet/router";
import type { FastifyInstance } from "fastify";
import { callerFor, type ContextDeps } from "../request-context";

type PeriodQuery = { from?: string; to?: string; currency?: string; groupBy?: string };

/**
 * The CSV face of `settlements.getSummary` (its JSON face is the procedure's REST route). It
 * calls the procedure, so validation and the access rule apply unchanged; errors take the
 * envelope through the app's error handler.
 */
export async function settlementRoutes(fastify: FastifyInstance, options: ContextDeps) {
  fastify.get<{ Querystring: PeriodQuery }>(
    "/admin/settlements.csv",
    {
      config: {
        openapi: {
          operationId: "settlementsCsv",
          summary: "Settlement summary as CSV (minor units and a formatted column)",
          tags: ["settlements"],
          parameters: [
            { name: "from", in: "query", required: true, schema: { type: "string", format: "date-time" } },
            { name: "to", in: "query", required: true, schema: { type: "string", format: "date-time" } },
            { name: "currency", in: "query", required: false, schema: { type: "string", enum: [...supportedCurrencies] } },
            {
              name: "groupBy",
              in: "query",
              required: false,
              schema: { type: "string", enum: ["producer", "day", "producer,day", "day,producer"] },
            },
          ],
          // The procedure's own rule: this route calls it.
          access: { staff: everyStaff },
          errorStatuses: [400],
          responses: { "200": { description: "CSV, one row per currency (and group)", content: { "text/csv": {} } } },
        },
      },
    },
    async (request, reply) => {
      const result = await callerFor(options, request).settlements.getSummary({
        from: request.query.from as string,
        to: request.query.to as string,
        currency: request.query.currency,
        groupBy: request.query.groupBy,
      });
      const day = (iso: string) => iso.slice(0, 10);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="settlements-${day(result.from)}-${day(result.to)}.csv"`)
        .send(Readable.from(settlementCsvLines(result)));
    },
  );
}
