import { currencyInput, positiveMinorUnitsInput } from "@agrinet/core";
import { contractIdPattern, registerContract } from "@agrinet/domain";
import { z } from "zod";
import { staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { partnerIdOf } from "../../tenancy";
import { contractOutput } from "./contract-output";

const userId = z.string().regex(/^[A-Za-z0-9_.@-]{1,120}$/, "expected a user id");

export const registerContractInput = z.object({
  id: z.string().regex(contractIdPattern, "letters, digits, _ . - (at most 64)").optional(),
  consumerId: userId,
  producerId: userId,
  currency: currencyInput,
  expectedAmount: positiveMinorUnitsInput,
  ratingWindowDays: z.number().int().min(1).max(365).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const registerContractProcedure = procedure
  .meta({
    access: { staff: staffWriters, partner: ["contracts:write"] },
    description: "Register a trade whose escrow deposits fund and whose consumer rating releases.",
    openapi: { method: "POST", path: "/contracts", summary: "Register a contract", tags: ["contracts"], errors: ["DUPLICATE_REFERENCE"] },
    tenancy: { claimsUsers: true },
  })
  .input(registerContractInput)
  .output(contractOutput)
  .mutation(({ ctx, input }) => registerContract({ db: ctx.db, input, partnerId: partnerIdOf(ctx.principal), maxAmount: ctx.deposits?.maxAmount }));
