import type { Db } from "@agrinet/db";

export type ListAuditLogOptions = {
  db: Db;
  /** "staff:<id>", "partner:<keyId>", … or a staff member's email (resolved to "staff:<id>"). */
  actor?: string;
  target?: string;
  action?: string;
  /** Rows created at or after this instant. */
  from?: Date;
  /** Rows created before this instant. */
  to?: Date;
  /** Return rows older than this id (cursor from the previous page). */
  beforeId?: bigint;
  limit: number;
};

async function resolveActor(db: Db, actor: string | undefined): Promise<string | undefined> {
  if (actor === undefined || !actor.includes("@") || actor.includes(":")) return actor;
  const staff = await db.staffUser.findUnique({ where: { email: actor.trim().toLowerCase() }, select: { id: true } });
  // An unknown email matches no one rather than everyone.
  return staff ? `staff:${staff.id}` : `staff-email:${actor}`;
}

/**
 * Newest first, keyset-paginated by id. Staff actors come with their email, since an id alone
 * tells a reader nothing.
 */
export async function listAuditLog(options: ListAuditLogOptions) {
  const createdAt = options.from || options.to ? { gte: options.from, lt: options.to } : undefined;
  const rows = await options.db.auditLog.findMany({
    where: {
      actor: await resolveActor(options.db, options.actor),
      target: options.target,
      action: options.action,
      createdAt,
      id: options.beforeId === undefined ? undefined : { lt: options.beforeId },
    },
    orderBy: { id: "desc" },
    take: options.limit + 1,
  });
  const page = rows.slice(0, options.limit);
  const staffIds = [...new Set(page.flatMap((row) => (row.actor.startsWith("staff:") ? [row.actor.slice(6)] : [])))];
  const staff = staffIds.length
    ? await options.db.staffUser.findMany({ where: { id: { in: staffIds } }, select: { id: true, email: true } })
    : [];
  const emailOf = new Map(staff.map((user) => [`staff:${user.id}`, user.email]));
  return {
    entries: page.map((row) => ({ ...row, actorEmail: emailOf.get(row.actor) ?? null })),
    nextBeforeId: rows.length > options.limit ? page[page.length - 1]!.id : null,
  };
}
