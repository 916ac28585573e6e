import { staleReadDb } from "../../context";
import { currencyInput, instantInput } from "@agrinet/core";
import { listPayouts, payoutDestinationTypes, payoutSortFields, payoutStatuses } from "@agrinet/domain";
import { pageInput, pageOutput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { listPartnerFilter, partnerIdFilterInput } from "../../tenancy";
import { batchIdInput, payoutOutput } from "./payout-schemas";

export const listPayoutsProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["payouts:read"], user: "self" },
    description: "Payouts, newest first, filtered by user, status, currency, destination type, batch or creation date (from inclusive, to exclusive); sorted by creation time (default) or amount, either way.",
    openapi: { method: "GET", path: "/api/v1/payouts", tags: ["payouts"], summary: "List payouts" },
  })
  .input(
    pageInput.extend({
      userId: z.string().optional(),
      partnerId: partnerIdFilterInput.optional(),
      status: z.enum(payoutStatuses).optional(),
      currency: currencyInput.optional(),
      destinationType: z.enum(payoutDestinationTypes).optional(),
      batchId: batchIdInput.optional(),
      /** Created at or after (ISO 8601). */
      from: instantInput("from must be an ISO 8601 date").optional(),
      /** Created before (ISO 8601). */
      to: instantInput("to must be an ISO 8601 date").optional(),
      /** createdAt (default) or amount. */
      sort: z.enum(payoutSortFields).optional(),
      /** desc (default) or asc. */
      direction: z.enum(["asc", "desc"]).optional(),
    }),
  )
  .output(pageOutput(payoutOutput))
  .query(({ ctx, input }) => {
    const { cursor, limit, sort, direction, ...filters } = input;
    return listPayouts({
      db: staleReadDb(ctx),
      filters: { ...filters, partnerId: listPartnerFilter(ctx.principal, filters.partnerId) },
      limit,
      cursor,
      sort: { by: sort ?? "createdAt", direction: direction ?? "desc" },
    });
  });
