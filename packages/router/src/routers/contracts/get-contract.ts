import { getContract } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { contractOutput } from "./contract-output";

export const getContractProcedure = procedure
  .meta({
    access: { staff: everyStaff, partner: ["contracts:read"], user: "party" },
    description: "A contract with its escrow balance and status.",
    openapi: { method: "GET", path: "/contracts/{contractId}", summary: "A contract and its escrow", tags: ["contracts"] },
  })
  .input(z.object({ contractId: z.string().min(1).max(64) }))
  .output(contractOutput)
  .query(({ ctx, input }) =>
    getContract({
      db: ctx.db,
      contractId: input.contractId,
      asUserId: ctx.principal?.kind === "user" ? ctx.principal.userId : undefined,
    }),
  );
