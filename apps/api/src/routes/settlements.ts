import { Readable } from "node:stream";
import { settlementCsvLines } from "@agrinet/domain";
import type { FastifyInstance } from "fastify";
import { callerFor, sendError, type ContextDeps } from "../request-context";

type PeriodQuery = { from?: string; to?: string; currency?: string; groupBy?: string };

/**
 * REST faces of the settlement procedures. Each calls the procedure, so the access rule
 * (staff; partners with settlements:read for the federation trends) applies unchanged.
 */
export async function settlementRoutes(fastify: FastifyInstance, options: ContextDeps) {
  const summary = async (request: { query: PeriodQuery }, caller: Awaited<ReturnType<typeof callerFor>>) =>
    caller.settlements.getSummary({
      from: request.query.from as string,
      to: request.query.to as string,
      currency: request.query.currency,
      groupBy: request.query.groupBy,
    });

  fastify.get<{ Querystring: PeriodQuery }>("/admin/settlements", async (request, reply) => {
    try {
      return await summary(request, await callerFor(options, request));
    } catch (error) {
      return sendError(reply, request, error);
    }
  });

  fastify.get<{ Querystring: PeriodQuery }>("/admin/settlements.csv", async (request, reply) => {
    let result;
    try {
      result = await summary(request, await callerFor(options, request));
    } catch (error) {
      return sendError(reply, request, error);
    }
    const day = (iso: string) => iso.slice(0, 10);
    return reply
      .type("text/csv; charset=utf-8")
      .header(
        "content-disposition",
        `attachment; filename="settlements-${day(result.from)}-${day(result.to)}.csv"`,
      )
      .send(Readable.from(settlementCsvLines(result)));
  });

  fastify.get<{ Querystring: PeriodQuery }>("/federation/trends/settlements", async (request, reply) => {
    try {
      const caller = await callerFor(options, request);
      return await caller.settlements.getFederationTrends({
        from: request.query.from as string,
        to: request.query.to as string,
        currency: request.query.currency,
      });
    } catch (error) {
      return sendError(reply, request, error);
    }
  });
}
