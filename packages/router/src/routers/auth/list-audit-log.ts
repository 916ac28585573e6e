import { listAuditLog as listAuditLogInDomain } from "@agrinet/domain";
import { z } from "zod";
import { procedure } from "../../trpc";

export const listAuditLogInput = z
  .object({
    actor: z.string().optional(),
    target: z.string().optional(),
    action: z.string().optional(),
    /** Cursor: `nextBeforeId` of the previous page. */
    beforeId: z.string().regex(/^\d+$/, "expected a row id").optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .default({ limit: 100 });

export const auditEntryOutput = z.object({
  id: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  ip: z.string().nullable(),
  metadata: z.unknown(),
  createdAt: z.string(),
});

export const listAuditLog = procedure
  .meta({ access: { staff: ["admin"] }, description: "Audit log, newest first." })
  .input(listAuditLogInput)
  .output(z.object({ entries: z.array(auditEntryOutput), nextBeforeId: z.string().nullable() }))
  .query(async ({ ctx, input }) => {
    const page = await listAuditLogInDomain({
      db: ctx.db,
      actor: input.actor,
      target: input.target,
      action: input.action,
      beforeId: input.beforeId === undefined ? undefined : BigInt(input.beforeId),
      limit: input.limit,
    });
    return {
      entries: page.entries.map((e) => ({
        id: e.id.toString(),
        actor: e.actor,
        action: e.action,
        target: e.target,
        ip: e.ip,
        metadata: e.metadata,
        createdAt: e.createdAt.toISOString(),
      })),
      nextBeforeId: page.nextBeforeId?.toString() ?? null,
    };
  });
