import { listContracts } from "@agrinet/domain";
import { pageInput, pageOutput } from "@agrinet/schemas";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { listPartnerFilter, partnerIdFilterInput } from "../../tenancy";
import { contractOutput } from "./contract-output";

export const listContractsProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["contracts:read"], user: "self" },
    description: "Contracts, newest first; with userId, those where the user is a party.",
    openapi: { method: "GET", path: "/api/v1/contracts", summary: "List contracts", tags: ["contracts"] },
  })
  .input(
    pageInput.extend({
      userId: z.string().min(1).max(120).optional(),
      partnerId: partnerIdFilterInput.optional(),
      status: z.enum(["open", "funded", "released", "disputed", "refunded"]).optional(),
    }),
  )
  .output(pageOutput(contractOutput))
  .query(({ ctx, input }) => listContracts({ db: ctx.db, ...input, partnerId: listPartnerFilter(ctx.principal, input.partnerId) }));
