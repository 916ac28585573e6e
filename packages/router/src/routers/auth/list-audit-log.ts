import { staleReadDb } from "../../context";
import { listAuditLog } from "@agrinet/domain";
import { int8IdInput } from "@agrinet/schemas";
import { z } from "zod";
import { procedure } from "../../trpc";

const instant = (field: string) =>
  z.iso
    .datetime({ offset: true, error: `${field}: expected an ISO 8601 date-time` })
    .or(z.iso.date({ error: `${field}: expected an ISO 8601 date` }))
    .transform((value) => new Date(value.length === 10 ? `${value}T00:00:00Z` : value));

export const listAuditLogInput = z
  .object({
    /** "staff:<id>", "partner:<keyId>", … or a staff member's email. */
    actor: z.string().optional(),
    target: z.string().optional(),
    action: z.string().optional(),
    /** Created at or after (a date is UTC midnight). */
    from: instant("from").optional(),
    /** Created before (a date is UTC midnight). */
    to: instant("to").optional(),
    /** Cursor: `nextBeforeId` of the previous page. */
    beforeId: int8IdInput("expected a row id").optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .default({ limit: 100 });

export const auditEntryOutput = z.object({
  id: z.string(),
  actor: z.string(),
  /** The staff member's email when the actor is staff. */
  actorEmail: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  ip: z.string().nullable(),
  metadata: z.unknown(),
  createdAt: z.string(),
});

export const listAuditLogProcedure = procedure
  .meta({ access: { staff: ["admin"] }, description: "Audit log, newest first." })
  .input(listAuditLogInput)
  .output(z.object({ entries: z.array(auditEntryOutput), nextBeforeId: z.string().nullable() }))
  .query(async ({ ctx, input }) => {
    const page = await listAuditLog({
      db: staleReadDb(ctx),
      actor: input.actor,
      target: input.target,
      action: input.action,
      from: input.from,
      to: input.to,
      beforeId: input.beforeId === undefined ? undefined : BigInt(input.beforeId),
      limit: input.limit,
    });
    return {
      entries: page.entries.map((e) => ({
        id: e.id.toString(),
        actor: e.actor,
        actorEmail: e.actorEmail,
        action: e.action,
        target: e.target,
        ip: e.ip,
        metadata: e.metadata,
        createdAt: e.createdAt.toISOString(),
      })),
      nextBeforeId: page.nextBeforeId?.toString() ?? null,
    };
  });
