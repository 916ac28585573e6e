import { listBankMappings } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { mappingShape } from "./reconciliation-schemas";

export const listBankMappingsProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "The saved bank CSV column mappings.",
    openapi: { method: "GET", path: "/api/v1/reconciliation/bank-mappings", tags: ["reconciliation"], summary: "List bank CSV column mappings" },
  })
  .input(z.object({}).default({}))
  .output(z.object({ items: z.array(mappingShape.extend({ currency: z.string(), dateFormat: z.string() })) }))
  .query(async ({ ctx }) => ({ items: await listBankMappings(ctx.db) }));
