import { staleReadDb } from "../../context";
import { currencyInput } from "@agrinet/core";
import { listPayouts as listPayoutsInDomain, payoutDestinationTypes, payoutStatuses } from "@agrinet/domain";
import { pageInput, pageOutput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { listPartnerFilter, partnerIdFilterInput } from "../../tenancy";
import { batchIdInput, payoutOutput } from "./payout-schemas";

export const listPayouts = procedure
  .meta({
    access: { staff: everyStaff, partner: ["payouts:read"], user: "self" },
    description: "Payouts, newest first, filtered by user, status, currency, destination type or batch.",
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
    }),
  )
  .output(pageOutput(payoutOutput))
  .query(({ ctx, input }) => {
    const { cursor, limit, ...filters } = input;
    return listPayoutsInDomain({
      db: staleReadDb(ctx),
      filters: { ...filters, partnerId: listPartnerFilter(ctx.principal, filters.partnerId) },
      limit,
      cursor,
    });
  });
