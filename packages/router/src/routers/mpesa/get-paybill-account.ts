import { getPaybillAccount } from "@agrinet/domain";
import { paybillAccountInput, paybillAccountOutput } from "@agrinet/schemas";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";

export const getPaybillAccountProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["deposits:read"], user: "self" },
    description:
      "The short paybill account number (8 digits, the last a check digit) a user or an open contract's buyer types when paying the M-Pesa paybill; created on first ask, the same ever after. A payment to it becomes a confirmed deposit to that wallet or escrow with no staff action.",
    openapi: { method: "GET", path: "/api/v1/mpesa/paybill-account", summary: "Get a paybill account number", tags: ["mpesa"] },
    tenancy: { claimsUsers: true },
  })
  .input(paybillAccountInput)
  .output(paybillAccountOutput)
  .query(async ({ ctx, input }) => {
    const account = await getPaybillAccount(ctx.db, input.userId ? { userId: input.userId } : { contractId: input.contractId! });
    return { ...account, paybill: ctx.deposits?.mpesa?.client.c2bShortcode ?? null };
  });
