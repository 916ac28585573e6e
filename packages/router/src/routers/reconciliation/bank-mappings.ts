import { currencyInput } from "@agrinet/core";
import { listBankMappings as listInDomain, saveBankMapping as saveInDomain } from "@agrinet/domain";
import { z } from "zod";
import { actorOf, everyStaff, staffWriters } from "../../access";
import { procedure } from "../../trpc";

const column = z.string().trim().min(1).max(200);
const mappingShape = z.object({
  bank: z.string().trim().regex(/^[A-Za-z0-9_.-]{1,60}$/, "letters, digits, _ . - (at most 60)"),
  columns: z
    .object({
      bookedAt: column,
      reference: column,
      amount: column.optional(),
      credit: column.optional(),
      debit: column.optional(),
      currency: column.optional(),
      description: column.optional(),
      batchReference: column.optional(),
      counterparty: column.optional(),
      balance: column.optional(),
    })
    .refine((c) => c.amount !== undefined || c.credit !== undefined || c.debit !== undefined, {
      message: "name an amount column, or credit and debit columns",
      path: ["amount"],
    }),
  dateFormat: z.string().trim().min(1).max(40).default("DD/MM/YYYY"),
  currency: currencyInput,
});

export const saveBankMapping = procedure
  .meta({
    access: { staff: staffWriters },
    description: "Saves how a bank's CSV export names its columns; every later upload for that bank uses it.",
    openapi: { method: "POST", path: "/api/v1/reconciliation/bank-mappings", tags: ["reconciliation"], summary: "Save a bank's CSV column mapping" },
  })
  .input(mappingShape)
  .output(mappingShape.extend({ currency: z.string(), dateFormat: z.string() }))
  .mutation(({ ctx, input }) => saveInDomain({ db: ctx.db, mapping: input, actor: actorOf(ctx.principal), ip: ctx.ip }));

export const listBankMappings = procedure
  .meta({
    access: { staff: everyStaff },
    description: "The saved bank CSV column mappings.",
    openapi: { method: "GET", path: "/api/v1/reconciliation/bank-mappings", tags: ["reconciliation"], summary: "List bank CSV column mappings" },
  })
  .input(z.object({}).default({}))
  .output(z.object({ items: z.array(mappingShape.extend({ currency: z.string(), dateFormat: z.string() })) }))
  .query(async ({ ctx }) => ({ items: await listInDomain(ctx.db) }));
