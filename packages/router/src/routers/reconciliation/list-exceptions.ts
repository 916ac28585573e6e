import { exceptionKinds, reconciliationExceptionStatuses, listExceptions } from "@agrinet/domain";
import { z } from "zod";
import { everyStaff } from "../../access";
import { procedure } from "../../trpc";
import { exceptionIdInput, exceptionWithAgeOutput, sourceInput, withAge } from "./reconciliation-schemas";

export const listExceptionsInput = z
  .object({
    source: sourceInput.optional(),
    kind: z.enum(exceptionKinds).optional(),
    /** open = new or persisting (the default) */
    status: z.enum([...reconciliationExceptionStatuses, "open", "all"]).default("open"),
    assignee: z.string().max(200).optional(),
    reference: z.string().max(200).optional(),
    minAgeDays: z.coerce.number().int().min(0).max(3650).optional(),
    /** Keyset: the last id of the previous page. */
    cursor: exceptionIdInput.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .default({ status: "open", limit: 100 });

export const listExceptionsProcedure = procedure
  .meta({
    access: { staff: everyStaff },
    description: "The reconciliation exceptions queue, newest first, filtered by source, kind, status, assignee, reference or age.",
    openapi: { method: "GET", path: "/admin/reconciliation/exceptions", tags: ["reconciliation"], summary: "List reconciliation exceptions" },
  })
  .input(listExceptionsInput)
  .output(z.object({ items: z.array(exceptionWithAgeOutput), nextCursor: z.string().nullable() }))
  .query(async ({ ctx, input }) => {
    const { cursor, status, ...filters } = input;
    const items = await listExceptions(ctx.db, {
      ...filters,
      status: status === "all" ? undefined : status,
      beforeId: cursor,
      limit: input.limit,
    });
    const last = items.at(-1);
    return { items: items.map((e) => withAge(e)), nextCursor: items.length === input.limit && last ? String(last.id) : null };
  });
