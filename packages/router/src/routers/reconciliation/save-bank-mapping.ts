import { saveBankMapping } from "@agrinet/domain";
import { z } from "zod";
import { actorOf, staffWriters } from "../../access";
import { procedure } from "../../trpc";
import { mappingShape } from "./reconciliation-schemas";

export const saveBankMappingProcedure = procedure
  .meta({
    access: { staff: staffWriters },
    description: "Saves how a bank's CSV export names its columns; every later upload for that bank uses it.",
    openapi: { method: "POST", path: "/api/v1/reconciliation/bank-mappings", tags: ["reconciliation"], summary: "Save a bank's CSV column mapping" },
  })
  .input(mappingShape)
  .output(mappingShape.extend({ currency: z.string(), dateFormat: z.string() }))
  .mutation(({ ctx, input }) => saveBankMapping({ db: ctx.db, mapping: input, actor: actorOf(ctx.principal), ip: ctx.ip }));
